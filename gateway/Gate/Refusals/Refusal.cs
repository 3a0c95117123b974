using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Gateway.Gate.Refusals;

/// <summary>
/// A refusal ready to write: its reason plus the challenge and body it answers with, built once (per reason, or per
/// route for parameterised challenges such as step-up and scope) so that a flood of refusals costs no formatting.
/// </summary>
public sealed class Refusal
{
    private static readonly ConcurrentDictionary<RefusalReason, Refusal> Plain = new();

    private Refusal(RefusalReason reason, string? challenge)
    {
        Reason = reason;
        Challenge = challenge;
        Status = reason.Shape switch
        {
            RefusalShape.InsufficientScope => StatusCodes.Status403Forbidden,
            RefusalShape.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status401Unauthorized,
        };
        Body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "urn:gateway:error:" + reason.Code,
            ["title"] = reason.Title,
            ["status"] = Status,
            ["reason"] = reason.Code,
        }));
    }

    public RefusalReason Reason { get; }

    /// <summary>The <c>WWW-Authenticate</c> value, or null (503).</summary>
    public string? Challenge { get; }

    public int Status { get; }

    /// <summary>The problem+json body.</summary>
    public byte[] Body { get; }

    /// <summary>The refusal of a reason that needs no parameter (shared instance).</summary>
    public static Refusal Of(RefusalReason reason) => Plain.GetOrAdd(reason, static r => new Refusal(r, r.Shape switch
    {
        RefusalShape.BareChallenge => "Bearer",
        RefusalShape.InvalidToken => $"Bearer error=\"invalid_token\", error_description=\"{r.Code}\"",
        RefusalShape.InvalidDpopProof => $"DPoP error=\"invalid_dpop_proof\", error_description=\"{r.Code}\"",
        RefusalShape.UseDpopNonce => $"DPoP error=\"use_dpop_nonce\", error_description=\"{r.Code}\"",
        RefusalShape.Unavailable => null,
        _ => throw new ArgumentException($"{r.Code} needs a parameter: use its own factory", nameof(reason)),
    }));

    /// <summary>RFC 9470 step-up: the route accepts authentications at most <paramref name="maxAge"/> old.</summary>
    public static Refusal StepUp(TimeSpan maxAge) => new(Reasons.InsufficientUserAuthentication,
        $"Bearer error=\"insufficient_user_authentication\", error_description=\"{Reasons.InsufficientUserAuthentication.Code}\", max_age={((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture)}");

    /// <summary>RFC 6750 §3.1 insufficient_scope, naming every scope the route requires.</summary>
    public static Refusal Scope(string requiredScopes) => new(Reasons.InsufficientScope,
        $"Bearer error=\"insufficient_scope\", error_description=\"{Reasons.InsufficientScope.Code}\", scope=\"{requiredScopes}\"");

    /// <summary>A DPoP refusal whose challenge lists the accepted proof algorithms (RFC 9449 §7.1).</summary>
    public static Refusal Dpop(RefusalReason reason, string algorithms) => new(reason,
        $"DPoP error=\"{(reason.Shape == RefusalShape.UseDpopNonce ? "use_dpop_nonce" : "invalid_dpop_proof")}\", error_description=\"{reason.Code}\", algs=\"{algorithms}\"");
}
