using System.Text.Json;
using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionOptions = Gateway.Sessions.SessionOptions;

namespace Gateway.Signals;

/// <summary>
/// Verifies a SET and applies its events, for push and poll alike. CAEP <c>session-revoked</c> ends the named session
/// (or, without one, the user's tokens issued up to the event); CAEP <c>credential-change</c> and
/// <c>token-claims-change</c> and RISC <c>account-disabled</c>, <c>account-purged</c> and <c>sessions-revoked</c> end
/// the user's tokens issued up to the event (<c>event_timestamp</c>, else the SET's <c>iat</c>). Subjects per
/// RFC 9493: <c>iss_sub</c>, <c>email</c> (when mapped), <c>opaque</c> (a <c>sub</c> of the transmitter's issuer) and
/// <c>complex</c> (<c>user</c> and <c>session</c>). Unknown event types and unmappable subjects are accepted and
/// counted, never fatal. The replay guard is written after the revocations, so a SET that failed half-way can be
/// delivered again.
/// </summary>
internal sealed partial class SignalProcessor
{
    private const string GuardSubject = "#signals";

    private readonly SetVerifier _verifier;
    private readonly JwtVerifier _issuers;
    private readonly ISessionStore _store;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly SessionOptions _sessions;
    private readonly long _guardSeconds;
    private readonly ILogger<SignalProcessor> _logger;

    public SignalProcessor(SetVerifier verifier, JwtVerifier issuers, ISessionStore store, TimeProvider time, GatewayMetrics metrics,
        IOptions<SessionOptions> sessions, IOptions<SignalsOptions> options, IOptions<TokenOptions> tokens, ILogger<SignalProcessor> logger)
    {
        _verifier = verifier;
        _issuers = issuers;
        _store = store;
        _time = time;
        _metrics = metrics;
        _sessions = sessions.Value;
        _guardSeconds = (long)(options.Value.MaxSetAge + tokens.Value.ClockSkew).TotalSeconds;
        _logger = logger;
    }

    public async Task<SignalOutcome> ProcessAsync(string set, string delivery, CancellationToken cancellationToken)
    {
        var result = await _verifier.VerifyAsync(set, cancellationToken);
        if (result.Error == SetResult.KeysUnavailable)
        {
            _metrics.SignalEvent("none", "unavailable");
            Log.Refused(_logger, delivery, result.Error, result.Description!);
            return SignalOutcome.Unavailable;
        }

        if (result.Token is not { } token)
        {
            _metrics.SignalEvent("none", "refused");
            Log.Refused(_logger, delivery, result.Error!, result.Description!);
            return new SignalOutcome(SignalStatus.Refused, result.Error, result.Description);
        }

        var outcomes = new List<(string Type, string Outcome)>(token.Events.Count);
        try
        {
            foreach (var evt in token.Events)
            {
                outcomes.Add((evt.Type, await ApplyAsync(token, evt, cancellationToken)));
            }

            // The replay guard: a one-time id under a pseudo-user of the transmitter's issuer ('set:' ids never meet 'logout:' ones).
            if (!await _store.TryMarkOnceAsync(new UserKey(token.Transmitter.Issuer, GuardSubject), "set:" + token.Jti, token.IssuedAt + _guardSeconds, cancellationToken))
            {
                // Applied again (revocations are idempotent) and acknowledged again: the transmitter stops retrying.
                outcomes = [.. outcomes.Select(o => (o.Type, "duplicate"))];
            }
        }
        catch (SessionStoreUnavailableException)
        {
            foreach (var evt in token.Events)
            {
                _metrics.SignalEvent(SignalEventTypes.Tag(evt.Type), "unavailable");
            }

            return SignalOutcome.Unavailable;
        }

        foreach (var (type, outcome) in outcomes)
        {
            _metrics.SignalEvent(SignalEventTypes.Tag(type), outcome);
            Log.Handled(_logger, delivery, SignalEventTypes.Tag(type), outcome);
        }

        return SignalOutcome.Accepted;
    }

    private async Task<string> ApplyAsync(SecurityEventToken token, SecurityEvent evt, CancellationToken cancellationToken)
    {
        var isSessionEvent = evt.Type == SignalEventTypes.SessionRevoked;
        var isUserEvent = evt.Type is SignalEventTypes.CredentialChange or SignalEventTypes.TokenClaimsChange or SignalEventTypes.AccountDisabled
            or SignalEventTypes.AccountPurged or SignalEventTypes.SessionsRevoked;
        if (!isSessionEvent && !isUserEvent)
        {
            return "unknown_type";
        }

        var subjectElement = evt.Body.TryGetProperty("subject", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : evt.SubjectId;
        if (subjectElement is not { } subjectJson || Resolve(token.Transmitter, subjectJson) is not { } subject)
        {
            return "unmapped_subject";
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var cutoff = evt.Body.TryGetProperty("event_timestamp", out var ts) && ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var at) ? at : token.IssuedAt;
        cutoff = Math.Min(cutoff, now);
        if (isSessionEvent && subject.SessionId is { } sid)
        {
            await _store.RevokeSessionAsync(subject.User, sid, now + (long)_sessions.MaxSessionLifetime.TotalSeconds, cancellationToken);
        }
        else
        {
            await _store.RevokeUserAsync(subject.User, cutoff, cancellationToken);
        }

        return "applied";
    }

    // RFC 9493 subject identifiers.
    private SignalSubject? Resolve(Transmitter transmitter, JsonElement subject)
    {
        var format = Text(subject, "format");
        if (format == "complex")
        {
            if (!subject.TryGetProperty("user", out var user) || user.ValueKind != JsonValueKind.Object || Resolve(transmitter, user) is not { } resolved)
            {
                return null;
            }

            string? sid = null;
            if (subject.TryGetProperty("session", out var session) && session.ValueKind == JsonValueKind.Object)
            {
                sid = Text(session, "format") == "opaque" ? Text(session, "id") : null;
                if (sid is null || !ClaimIds.IsValid(sid))
                {
                    return null;
                }
            }

            return resolved with { SessionId = sid };
        }

        string? issuer;
        string? sub;
        switch (format)
        {
            case "iss_sub":
                issuer = Text(subject, "iss") is { } iss && _issuers.Find(iss) is { } runtime ? runtime.Issuer : null;
                sub = Text(subject, "sub");
                break;
            case "opaque":
                issuer = transmitter.Issuer;
                sub = Text(subject, "id");
                break;
            case "email":
                issuer = transmitter.Issuer;
                var email = Text(subject, "email");
                sub = email is null ? null : transmitter.EmailSubjects.TryGetValue(email, out var mapped) ? mapped : transmitter.Options.EmailIsSubject ? email : null;
                break;
            default:
                return null;
        }

        return issuer is not null && sub is not null && ClaimIds.IsValid(sub) ? new SignalSubject(new UserKey(issuer, sub), null) : null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SignalHandled, Level = LogLevel.Information, Message = "Shared Signals ({Delivery}): {EventType} {Outcome}")]
        public static partial void Handled(ILogger logger, string delivery, string eventType, string outcome);

        [LoggerMessage(EventId = LogEvents.SignalRefused, Level = LogLevel.Warning, Message = "Shared Signals ({Delivery}): SET refused ({Error}): {Description}")]
        public static partial void Refused(ILogger logger, string delivery, string error, string description);
    }
}
