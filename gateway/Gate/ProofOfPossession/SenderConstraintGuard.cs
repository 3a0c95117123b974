using Gateway.Gate.Refusals;
using Gateway.Gate.Rules;
using Gateway.Sessions;
using Gateway.Tokens;
using Microsoft.Extensions.Options;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// Proof of possession for one request whose token is verified: a token with <c>cnf.x5t#S256</c> needs the client
/// certificate of that thumbprint (RFC 8705); a token with <c>cnf.jkt</c> needs <c>Authorization: DPoP</c>, exactly one
/// <c>DPoP</c> header holding a valid proof for this method, URI, token and key (RFC 9449 §4.3 and §7.1), never seen
/// before (the replay guard); a token without <c>cnf.jkt</c> is refused where the issuer or the route requires DPoP.
/// A plain bearer token on a route and issuer that do not require DPoP costs two comparisons. Refusals answer with a
/// DPoP challenge listing the accepted proof algorithms, built once; a nonce refusal adds a fresh <c>DPoP-Nonce</c>.
/// </summary>
internal sealed class SenderConstraintGuard
{
    public const string NonceHeader = "DPoP-Nonce";

    private readonly DpopProofValidator _validator;
    private readonly DpopReplayGuard _replay;
    private readonly DpopNonceService? _nonces;
    private readonly ForwardedRequestUri _uri;
    private readonly ClientCertificateSource _certificates;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _requiringIssuers;
    private readonly Dictionary<string, Refusal> _refusals;
    private NonceAt? _currentNonce;

    public SenderConstraintGuard(DpopProofValidator validator, DpopReplayGuard replay, ProofOfPossessionNonces nonces, ForwardedRequestUri uri,
        ClientCertificateSource certificates, IssuerRegistry issuers, IOptions<DpopOptions> options, TimeProvider time)
    {
        _validator = validator;
        _replay = replay;
        _nonces = nonces.Service;
        _uri = uri;
        _certificates = certificates;
        _time = time;
        _requiringIssuers = new HashSet<string>(
            issuers.All.Where(i => i.Options.DpopPolicy == DpopPolicy.Required).Select(i => i.Issuer), StringComparer.Ordinal);
        Algorithms = string.Join(' ', options.Value.EffectiveAlgorithms.Where(DpopProofValidator.SupportedAlgorithms.Contains));
        _refusals = Reasons.DpopChallenges.ToDictionary(r => r.Code, r => Refusal.Dpop(r, Algorithms), StringComparer.Ordinal);
    }

    /// <summary>The accepted proof algorithms, space-separated: the challenge's <c>algs</c>.</summary>
    public string Algorithms { get; }

    /// <summary>Null when the request proves possession as its token demands; else the refusal.</summary>
    /// <param name="context">The request and its verified token.</param>
    /// <param name="routeRequiresDpop">The route's metadata <c>Dpop</c> is <c>Required</c>.</param>
    public ValueTask<Refusal?> JudgeAsync(RuleContext context, bool routeRequiresDpop)
    {
        var token = context.Token;
        var binding = token.Binding;
        if (binding is null && context.Scheme != AuthorizationScheme.Dpop && !routeRequiresDpop && _requiringIssuers.Count == 0)
        {
            return new((Refusal?)null);
        }

        if (binding?.CertificateThumbprint is { } x5t &&
            (!_certificates.TryGetThumbprint(context.Http, out var presented) || !string.Equals(presented, x5t, StringComparison.Ordinal)))
        {
            return new(Refusal.Of(Reasons.CertificateMismatch));
        }

        if (binding?.JwkThumbprint is not { } jkt)
        {
            if (routeRequiresDpop || _requiringIssuers.Contains(token.Issuer))
            {
                return new(_refusals[Reasons.DpopRequired.Code]);
            }

            // The DPoP scheme with a token bound to no key: no proof can match it (RFC 9449 §7.1).
            return new(context.Scheme == AuthorizationScheme.Dpop ? _refusals[Reasons.DpopKeyMismatch.Code] : null);
        }

        if (context.Scheme != AuthorizationScheme.Dpop)
        {
            // A DPoP-bound token as a bearer token: exactly what a thief without the key would try.
            return new(_refusals[Reasons.DpopSchemeRequired.Code]);
        }

        return ProveAsync(context, jkt);
    }

    private async ValueTask<Refusal?> ProveAsync(RuleContext context, string jkt)
    {
        var request = context.Http.Request;
        var proof = AuthorizationHeader.ReadDpopProof(request.Headers);
        if (proof is null)
        {
            return _refusals[Reasons.DpopProofMissing.Code];
        }

        var now = _time.GetUtcNow();
        var result = _validator.Validate(proof, request.Method, _uri.Build(request) ?? string.Empty, context.Credential.Span, jkt, now, _nonces);
        if (!result.IsValid)
        {
            var refusal = _refusals[result.Reason!];
            if (refusal.Reason.Shape == RefusalShape.UseDpopNonce)
            {
                context.Http.Response.Headers[NonceHeader] = Nonce(now);
            }

            return refusal;
        }

        try
        {
            if (!await _replay.TryAcceptAsync(result, context.Cancel))
            {
                return _refusals[Reasons.DpopProofReplayed.Code];
            }
        }
        catch (SessionStoreUnavailableException)
        {
            return Refusal.Of(Reasons.StoreUnavailable);
        }

        if (_nonces is not null)
        {
            // RFC 9449 §8.2: the next nonce may ride on any response; clients then never meet use_dpop_nonce mid-session.
            context.Http.Response.Headers[NonceHeader] = Nonce(now);
        }

        return null;
    }

    // One HMAC per nonce step, not per request.
    private string Nonce(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        if (Volatile.Read(ref _currentNonce) is { } current && current.Second == second)
        {
            return current.Nonce;
        }

        var nonce = _nonces!.Issue(now);
        Volatile.Write(ref _currentNonce, new NonceAt(second, nonce));
        return nonce;
    }

    private sealed record NonceAt(long Second, string Nonce);
}
