using System.Diagnostics;
using Gateway.Gate.Connections;
using Gateway.Gate.Refusals;
using Gateway.Proxy;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace Gateway.Gate;

/// <summary>
/// The gate in YARP's proxy pipeline, after route matching and before forwarding: let <see cref="TokenGate"/> judge
/// the request, then forward it with the verified token as a request feature (for <see cref="IdentityHeadersTransform"/>,
/// which also strips client-sent identity headers on every route) or answer the refusal.
/// Proxy-pipeline middleware rather than an authentication handler: the route's policy is at hand without a policy
/// lookup and a live request builds no ClaimsPrincipal, which keeps the hot path short (see README, "Why middleware").
/// WebSockets, event streams and requests on guarded routes are registered with <see cref="GuardedConnections"/> for as
/// long as they run, so that a revocation closes them (README, "Open connections").
/// </summary>
internal sealed partial class TokenGateMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RoutePolicyCache _policies;
    private readonly TokenGate _gate;
    private readonly GatewayMetrics _metrics;
    private readonly GuardedConnections _connections;
    private readonly bool _forwardAuthorization;
    private readonly ILogger<TokenGateMiddleware> _logger;

    public TokenGateMiddleware(RequestDelegate next, RoutePolicyCache policies, TokenGate gate, GatewayMetrics metrics,
        GuardedConnections connections, IOptions<ProxyOptions> options, ILogger<TokenGateMiddleware> logger)
    {
        _next = next;
        _policies = policies;
        _gate = gate;
        _metrics = metrics;
        _connections = connections;
        _forwardAuthorization = options.Value.ForwardAuthorization;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var policy = _policies.Get(context.Features.Get<IReverseProxyFeature>()!.Route.Config);
        if (policy.Anonymous)
        {
            return ForwardAsync(context, policy, start);
        }

        // A warm token is judged synchronously; only then is the request's one async step the forwarding itself,
        // whose continuation is small (EndAsync). One async method around all of it cost a larger box per request.
        var check = _gate.CheckAsync(context, policy);
        return check.IsCompletedSuccessfully
            ? Judged(context, policy, check.Result, start)
            : JudgedLaterAsync(context, policy, check, start);
    }

    private async Task JudgedLaterAsync(HttpContext context, RoutePolicy policy, ValueTask<GateVerdict> check, long start) =>
        await Judged(context, policy, await check, start);

    private Task Judged(HttpContext context, RoutePolicy policy, GateVerdict verdict, long start)
    {
        if (verdict.Refusal is { } refusal)
        {
            return RefuseAndEndAsync(context, policy, refusal, start);
        }

        // IdentityHeadersTransform sets the identity headers from it on the outgoing request. The token itself is the
        // feature: nothing is allocated, and Kestrel clears the feature with the request.
        context.Features.Set(verdict.Token!);
        if (!_forwardAuthorization)
        {
            context.Request.Headers.Remove(HeaderNames.Authorization);
        }

        // Only WebSockets, event streams and requests on guarded routes are registered; ordinary requests pass by.
        // They are left out of the duration histogram: a stream's lifetime is not a latency.
        return GuardedConnections.Classify(context, policy) is { } kind
            ? ForwardGuardedAsync(context, policy, verdict.Token!, kind)
            : ForwardAsync(context, policy, start);
    }

    private Task ForwardAsync(HttpContext context, RoutePolicy policy, long start)
    {
        Interlocked.Increment(ref policy.AllowedCount.Value);
        var forwarding = _next(context);
        if (forwarding.IsCompletedSuccessfully)
        {
            _metrics.RequestEnded(policy.RouteTag, start);
            return Task.CompletedTask;
        }

        return EndAsync(forwarding, policy.RouteTag, start);
    }

    private async Task EndAsync(Task forwarding, KeyValuePair<string, object?> routeTag, long start)
    {
        await forwarding;
        _metrics.RequestEnded(routeTag, start);
    }

    private async Task RefuseAndEndAsync(HttpContext context, RoutePolicy policy, Refusal refusal, long start)
    {
        await RefuseAsync(context, policy.RouteId, refusal);
        _metrics.RequestEnded(policy.RouteTag, start);
    }

    private async Task ForwardGuardedAsync(HttpContext context, RoutePolicy policy, VerifiedToken token, ConnectionKind kind)
    {
        if (_connections.Register(context, policy, token, kind) is not { } connection)
        {
            await RefuseAsync(context, policy.RouteId, Refusal.Of(Reasons.TooManyConnections));
            return;
        }

        try
        {
            Interlocked.Increment(ref policy.AllowedCount.Value);
            await _next(context);
        }
        finally
        {
            connection.Dispose();
        }
    }

    private Task RefuseAsync(HttpContext context, string routeId, Refusal refusal)
    {
        var reason = refusal.Reason;
        _metrics.Request(routeId, reason.Outcome, reason.Code);
        if (reason.Shape == RefusalShape.Unavailable)
        {
            Log.Unavailable(_logger, routeId);
        }
        else
        {
            Log.Refused(_logger, routeId, reason.Code);
        }

        return RefusalWriter.WriteAsync(context, refusal);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.Refused, Level = LogLevel.Debug, Message = "Refused a request on route {RouteId}: {Reason}")]
        public static partial void Refused(ILogger logger, string routeId, string reason);

        [LoggerMessage(EventId = LogEvents.Unavailable, Level = LogLevel.Debug, Message = "Session store unavailable; refused a request on route {RouteId} with 503")]
        public static partial void Unavailable(ILogger logger, string routeId);
    }
}
