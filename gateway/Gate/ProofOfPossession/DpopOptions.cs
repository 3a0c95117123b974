namespace Gateway.Gate.ProofOfPossession;

/// <summary>DPoP proof checks (RFC 9449), section <c>Gateway:Dpop</c>.</summary>
public sealed class DpopOptions
{
    public const string SectionName = "Gateway:Dpop";

    /// <summary>The default <see cref="Algorithms"/>: every asymmetric algorithm the gateway verifies.</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"];

    /// <summary>How old a proof's <c>iat</c> may be. Default 60 s.</summary>
    public TimeSpan IatWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How far a proof's <c>iat</c> may lie in the future (client clock ahead). Default 5 s.</summary>
    public TimeSpan IatFutureSkew { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Base64 secret (at least 32 bytes) for stateless server nonces shared by every instance; set it from an
    /// environment variable, never in a config file. Absent (the default): nonces are off.
    /// </summary>
    public string? NonceSecret { get; set; }

    /// <summary>How long one nonce step lasts; a nonce is accepted during its step and the next. Default 30 s.</summary>
    public TimeSpan NonceStep { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Entries of the single-instance replay cache (proof key and <c>jti</c>). Default 100000.</summary>
    public int ReplayCacheSize { get; set; } = 100_000;

    /// <summary>
    /// Where accepted proofs are remembered: <see cref="DpopReplayScope.Shared"/> (default; Redis when configured) or
    /// <see cref="DpopReplayScope.Instance"/> (no Redis call; a proof may be replayed once per other instance).
    /// </summary>
    public DpopReplayScope ReplayScope { get; set; } = DpopReplayScope.Shared;

    /// <summary>
    /// Imported public keys of proofs kept for the next proof by the same key (importing a key costs several times a
    /// signature check). Default 10000; 0 imports every proof's key afresh.
    /// </summary>
    public int KeyCacheSize { get; set; } = 10_000;

    /// <summary>Proofs longer than this many characters are refused before parsing. Default 8192.</summary>
    public int MaxProofSize { get; set; } = 8192;

    /// <summary>
    /// The proof <c>alg</c> allow-list. Empty (the default): <see cref="DefaultAlgorithms"/>. Only asymmetric
    /// algorithms are accepted; <c>none</c> and HS* never are.
    /// </summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>The allow-list in force: <see cref="Algorithms"/>, or the defaults when it is empty.</summary>
    public IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Count > 0 ? Algorithms : DefaultAlgorithms;
}
