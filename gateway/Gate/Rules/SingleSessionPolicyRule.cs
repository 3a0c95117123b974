using Gateway.Gate.Refusals;
using Gateway.Sessions;
using Microsoft.Extensions.Options;
using SessionOptions = Gateway.Sessions.SessionOptions;

namespace Gateway.Gate.Rules;

/// <summary>
/// <c>SingleSessionPolicy</c> (<c>NewestLogin</c>, <c>FirstLogin</c> or <c>None</c>): the gateway itself keeps one
/// session per user live on this route, without <c>sessions/activate</c>. A session's login time is its
/// <c>auth_time</c>, else the first <c>iat</c> the inventory saw of it.
/// <list type="bullet">
/// <item><c>NewestLogin</c>: the session that logged in last leads from the first request the gateway sees of it; the
/// others get <c>session_not_active</c>.</item>
/// <item><c>FirstLogin</c>: the first session seen holds a lease while it is live (not revoked, seen within
/// <c>Gateway:Sessions:IdleTimeout</c>); others get <c>session_not_active</c> until it frees.</item>
/// </list>
/// Taking the lead is one atomic store write (compare-and-set), made only when a session takes over.
/// </summary>
internal sealed class SingleSessionPolicyRule(IOptions<SessionOptions> options) : IRouteRule
{
    public const string Key = "SingleSessionPolicy";

    public string MetadataKey => Key;

    public IRouteCheck? Compile(string value, out string? error)
    {
        if (string.Equals(value, "None", StringComparison.OrdinalIgnoreCase))
        {
            error = null;
            return null;
        }

        if (!Enum.TryParse<LeadKind>(value, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(value, out _))
        {
            error = $"'{value}' is not NewestLogin, FirstLogin or None";
            return null;
        }

        if (!options.Value.Inventory.Enabled)
        {
            error = $"needs the session inventory ({SessionOptions.SectionName}:Inventory:Enabled is false)";
            return null;
        }

        error = null;
        var ttl = kind == LeadKind.NewestLogin ? options.Value.MaxSessionLifetime : options.Value.IdleTimeout;
        return new Check(kind, ttl);
    }

    private sealed class Check(LeadKind kind, TimeSpan ttl) : IRouteCheck
    {
        private static readonly Refusal NotActive = Refusal.Of(Reasons.SessionNotActive);

        public RuleStage Stage => RuleStage.Session;

        public bool NeedsLiveStore => false;

        public async ValueTask<Refusal?> JudgeAsync(RuleContext context)
        {
            var state = context.State;
            var token = context.Token;
            var lead = kind == LeadKind.NewestLogin ? state.NewestLead : state.FirstLead;
            if (token.SessionId is not { } sid)
            {
                // A token that names no session cannot lead; it passes only while no session leads.
                return lead is null ? null : NotActive;
            }

            if (lead is { } current && string.Equals(current.Sid, sid, StringComparison.Ordinal))
            {
                return null;
            }

            var loginAt = token.AuthTime ?? (state.SessionFirstIat > 0 ? Math.Min(state.SessionFirstIat, token.IssuedAt) : token.IssuedAt);
            var mayClaim = lead is not { } existing || (kind == LeadKind.NewestLogin && existing.LoginAt < loginAt);
            if (!mayClaim)
            {
                return NotActive;
            }

            var after = await context.Store.ClaimLeadAsync(token.User, kind, new SessionLead(sid, loginAt), ttl, context.Cancel);
            return string.Equals(after.Sid, sid, StringComparison.Ordinal) ? null : NotActive;
        }
    }
}
