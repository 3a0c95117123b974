using static Gateway.Testing.TestUsers;
using Gateway.Gate.Refusals;
using System.Diagnostics;
using System.Net;
using Gateway.Sessions;
using Gateway.Testing;
using Gateway.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.FunctionalTests.Telemetry;

[Collection(ObservedGateway.CollectionName)]
public sealed class TracingTests(ObservedGateway fixture)
{
    private const string Verify = "gateway.token.verify";
    private const string SessionCheck = "gateway.session.check";

    [Fact]
    public async Task Trace_AllowedRequest_VerifyAndSessionSpansWithOutcomeTags()
    {
        var (response, traceId) = await fixture.GetInNewTraceAsync(fixture.RoutePrefix + "/allowed", fixture.Token(sub: "trace-allowed", sid: "s1"));
        using var disposeResponse = response;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = await fixture.SpansOfAsync(traceId, SessionCheck);
        Assert.True(spans.Count > 0, fixture.DebugSpans());
        var verify = Assert.Single(spans, s => s.OperationName == Verify);
        Assert.Equal("valid", verify.GetTagItem("gateway.outcome"));
        Assert.Null(verify.GetTagItem("gateway.reason"));
        var session = Assert.Single(spans, s => s.OperationName == SessionCheck);
        Assert.Equal("allowed", session.GetTagItem("gateway.outcome"));
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server);
        AssertNoToken(spans);
    }

    [Fact]
    public async Task Trace_AllowedRequest_ForwardingIsNotParentedToTheEndedSessionCheck()
    {
        var (response, traceId) = await fixture.GetInNewTraceAsync(fixture.RoutePrefix + "/parent", fixture.Token(sub: "trace-parent", sid: "s1"));
        using var disposeResponse = response;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = await fixture.SpansOfAsync(traceId, SessionCheck);
        var session = Assert.Single(spans, s => s.OperationName == SessionCheck);
        var gateway = Assert.Single(spans, s => s.SpanId == session.ParentSpanId);
        Assert.Equal(ActivityKind.Server, gateway.Kind);

        // The session check ends before the request is forwarded: the upstream call is the request's child, not the
        // check's (the trace also holds the test's own call and the backend's server span).
        bool IsForwarding(Activity s) => s.Kind == ActivityKind.Client && s.ParentSpanId == gateway.SpanId;
        var all = await fixture.SpansOfAsync(traceId, IsForwarding);
        Assert.Contains(all, IsForwarding);
        Assert.DoesNotContain(all, s => s.ParentSpanId == session.SpanId);
    }

    [Fact]
    public async Task Trace_ExpiredToken_VerifySpanCarriesReason()
    {
        var expired = TokenFactory.Mint(fixture.Es256, sub: "trace-expired", iat: TimeSpan.FromHours(-2), nbf: TimeSpan.FromHours(-2), exp: TimeSpan.FromHours(-1));

        var (response, traceId) = await fixture.GetInNewTraceAsync(fixture.RoutePrefix + "/expired", expired);
        using var disposeResponse = response;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var spans = await fixture.SpansOfAsync(traceId, Verify);
        var verify = Assert.Single(spans, s => s.OperationName == Verify);
        Assert.Equal("invalid", verify.GetTagItem("gateway.outcome"));
        Assert.Equal(Reasons.Expired.Code, verify.GetTagItem("gateway.reason"));
        Assert.DoesNotContain(spans, s => s.OperationName == SessionCheck);
        AssertNoToken(spans);
    }

    [Fact]
    public async Task Trace_RevokedSession_SessionSpanDeniedWithReason()
    {
        var store = fixture.Gateway.Services.GetRequiredService<ISessionStore>();
        await store.RevokeSessionAsync(U("trace-revoked"), "s-gone", DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds(), CancellationToken.None);

        var (response, traceId) = await fixture.GetInNewTraceAsync(fixture.RoutePrefix + "/revoked", fixture.Token(sub: "trace-revoked", sid: "s-gone"));
        using var disposeResponse = response;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var spans = await fixture.SpansOfAsync(traceId, SessionCheck);
        var session = Assert.Single(spans, s => s.OperationName == SessionCheck);
        Assert.Equal("denied", session.GetTagItem("gateway.outcome"));
        Assert.Equal(Reasons.SessionRevoked.Code, session.GetTagItem("gateway.reason"));
        AssertNoToken(spans);
    }

    private static void AssertNoToken(IEnumerable<Activity> spans)
    {
        foreach (var span in spans)
        {
            foreach (var (key, value) in span.TagObjects)
            {
                Assert.DoesNotContain("eyJ", value?.ToString() ?? string.Empty, StringComparison.Ordinal);
                Assert.NotEqual("sub", key);
            }
        }
    }
}
