namespace Gateway.Signals;

/// <summary>One SSF transmitter, section <c>Gateway:Signals:Transmitters:N</c>.</summary>
public sealed class TransmitterOptions
{
    /// <summary>The SETs' <c>iss</c>: a configured token issuer (<c>Gateway:Tokens:Issuers:N:Issuer</c>). Required.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> every SET must carry (this receiver's audience at the transmitter). Required.</summary>
    public string? Audience { get; set; }

    /// <summary>The transmitter's own JWKS (https, or http on loopback). Default: the token issuer's keys verify its SETs.</summary>
    public string? JwksUri { get; set; }

    /// <summary>SET <c>alg</c> allow-list. Default: the token issuer's <c>Algorithms</c>.</summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>RFC 8936 poll endpoint (https, or http on loopback). None: push only.</summary>
    public string? PollEndpoint { get; set; }

    /// <summary>The <c>Authorization</c> header value sent with each poll, e.g. <c>Bearer &lt;token&gt;</c>. Set it through the environment.</summary>
    public string? PollAuthorization { get; set; }

    /// <summary>Time between polls when the transmitter has nothing more. Default 30 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>maxEvents</c> of each poll. Default 50.</summary>
    public int MaxEvents { get; set; } = 50;

    /// <summary>An <c>email</c> subject names the user whose <c>sub</c> is that address. Default false.</summary>
    public bool EmailIsSubject { get; set; }

    /// <summary>A static map of <c>email</c> subjects to <c>sub</c> (case-insensitive addresses); consulted before <see cref="EmailIsSubject"/>.</summary>
    public Dictionary<string, string> EmailSubjects { get; set; } = [];
}
