using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace Gateway.Proxy;

/// <summary>
/// The check in YARP's proxy pipeline, after route matching and before forwarding: strip identity headers,
/// verify the bearer token, apply the route's step-up rule, check the session, then forward. Proxy-pipeline
/// middleware rather than an authentication handler: the route's policy is at hand without a policy lookup and
/// a live request builds no ClaimsPrincipal, which keeps the hot path short (see README, "Why middleware").
/// </summary>
internal sealed partial class TokenGateMiddleware
{
    // The metrics class tells refusals from forwards by this value: one constant, not two.
    private const string Allowed = GatewayMetrics.AllowedOutcome;
    private const string Denied = "denied";
    private const string Unavailable = "unavailable";

    private readonly RequestDelegate _next;
    private readonly RoutePolicyCache _policies;
    private readonly TokenVerifier _verifier;
    private readonly SessionGuard _guard;
    private readonly IdentityHeaders _identity;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly bool _forwardAuthorization;
    private readonly ILogger<TokenGateMiddleware> _logger;

    public TokenGateMiddleware(RequestDelegate next, RoutePolicyCache policies, TokenVerifier verifier, SessionGuard guard, IdentityHeaders identity,
        GatewayMetrics metrics, TimeProvider time, IOptions<ProxyOptions> options, ILogger<TokenGateMiddleware> logger)
    {
        _next = next;
        _policies = policies;
        _verifier = verifier;
        _guard = guard;
        _identity = identity;
        _metrics = metrics;
        _time = time;
        _forwardAuthorization = options.Value.ForwardAuthorization;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.Features.Get<IReverseProxyFeature>()!.Route.Config;
        var policy = _policies.Get(route);
        var headers = context.Request.Headers;
        _identity.Strip(headers);
        if (policy.Anonymous)
        {
            _metrics.Request(policy.RouteId, Allowed, null);
            await _next(context);
            return;
        }

        var token = ReadBearerMemory(headers, out var present);
        if (token is null)
        {
            await RefuseAsync(context, policy, present ? TokenReasons.Malformed : TokenReasons.Missing);
            return;
        }

        var result = await _verifier.VerifyAsync(token.Value, context.RequestAborted);
        if (result.Token is not { } verified)
        {
            await RefuseAsync(context, policy, result.Reason!);
            return;
        }

        if (policy.MaxTokenAge is { } maxAge && _time.GetUtcNow().ToUnixTimeSeconds() - verified.AuthenticatedAt > (long)maxAge.TotalSeconds)
        {
            _metrics.Request(policy.RouteId, Denied, SessionReasons.TokenTooOld);
            Log.Refused(_logger, policy.RouteId, SessionReasons.TokenTooOld);
            await Challenges.WriteStepUpAsync(context, maxAge);
            return;
        }

        string? refusal;
        using (var activity = GatewayActivitySource.Instance.StartActivity("gateway.session.check"))
        {
            try
            {
                refusal = await _guard.CheckAsync(verified, policy, context.RequestAborted);
            }
            catch (SessionStoreUnavailableException)
            {
                activity?.SetTag("gateway.outcome", Unavailable);
                _metrics.Request(policy.RouteId, Unavailable, SessionReasons.StoreUnavailable);
                Log.Unavailable(_logger, policy.RouteId);
                await Challenges.WriteUnavailableAsync(context);
                return;
            }

            activity?.SetTag("gateway.outcome", refusal is null ? Allowed : Denied);
            if (refusal is not null)
            {
                activity?.SetTag("gateway.reason", refusal);
            }
        }

        if (refusal is not null)
        {
            await RefuseAsync(context, policy, refusal);
            return;
        }

        _identity.Set(headers, verified);
        if (!_forwardAuthorization)
        {
            headers.Remove(HeaderNames.Authorization);
        }

        _metrics.Request(policy.RouteId, Allowed, null);
        await _next(context);
    }

    private Task RefuseAsync(HttpContext context, RoutePolicy policy, string reason)
    {
        _metrics.Request(policy.RouteId, Denied, reason);
        Log.Refused(_logger, policy.RouteId, reason);
        return reason == TokenReasons.Missing ? Challenges.WriteMissingAsync(context) : Challenges.WriteInvalidAsync(context, reason);
    }

    /// <summary>The token of a single <c>Bearer</c> Authorization header (scheme case-insensitive), else null.</summary>
    internal static string? ReadBearer(IHeaderDictionary headers, out bool present) =>
        ReadBearerMemory(headers, out present) is { } token ? token.ToString() : null;

    /// <summary>As <see cref="ReadBearer"/>, as a slice of the header value: the hot path allocates no token string.</summary>
    internal static ReadOnlyMemory<char>? ReadBearerMemory(IHeaderDictionary headers, out bool present)
    {
        var values = headers.Authorization;
        present = false;
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            present = true;
            return null;
        }

        var header = values[0].AsMemory();
        var value = header.Span.Trim();
        var valueStart = header.Length - header.Span.TrimStart().Length;
        if (value.Length < 7 || !value[..6].Equals("Bearer", StringComparison.OrdinalIgnoreCase) || value[6] is not (' ' or '\t'))
        {
            // Another scheme (Basic, ...) is no bearer token: answered with the bare challenge.
            return null;
        }

        present = true;
        if (value[6] != ' ')
        {
            // RFC 6750 separates scheme and token with SP only: "Bearer<TAB>token" is a malformed bearer credential.
            return null;
        }

        var credentials = value[7..];
        var token = credentials.Trim();
        if (token.IsEmpty || token.ContainsAny(' ', '\t', ','))
        {
            return null;
        }

        // A slice of the original string: after the leading white space, the scheme and its space, and any more spaces.
        var tokenStart = valueStart + 7 + (credentials.Length - credentials.TrimStart().Length);
        return header.Slice(tokenStart, token.Length);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Refused a request on route {RouteId}: {Reason}")]
        public static partial void Refused(ILogger logger, string routeId, string reason);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Session store unavailable; refused a request on route {RouteId} with 503")]
        public static partial void Unavailable(ILogger logger, string routeId);
    }
}
