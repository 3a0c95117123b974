using Gateway.Testing.Attacks;
using System.Net;
using Gateway.Gate.ProofOfPossession;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Gate.ProofOfPossession;

public sealed class ForwardedRequestUriTests
{
    private static readonly ForwardedRequestUri Builder = new(TrustedProxies.Parse(["10.0.0.0/8", "192.0.2.10", "fd00::/8"]));

    private static DefaultHttpContext Request(string peer, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("gateway.internal:8080");
        context.Request.PathBase = "/base";
        context.Request.Path = "/api/orders";
        context.Request.QueryString = new QueryString("?page=2");
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }

        return context;
    }

    [Fact]
    public void Build_NoForwardingHeaders_RequestsOwnSchemeHostAndPath()
    {
        Assert.Equal("http://gateway.internal:8080/base/api/orders", Builder.Build(Request("10.0.0.1").Request));
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.1.2")]
    [InlineData("192.0.2.10")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("fd12::1")]
    public void Build_XForwardedFromATrustedProxy_Honoured(string peer)
    {
        var context = Request(peer, ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "api.example.com"));

        Assert.Equal("https://api.example.com/base/api/orders", Builder.Build(context.Request));
    }

    [Theory]
    [InlineData("192.0.2.11")]
    [InlineData("11.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    public void Build_XForwardedFromAnUntrustedPeer_Ignored(string peer)
    {
        var context = Request(peer, ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil.example.com"));

        Assert.Equal("http://gateway.internal:8080/base/api/orders", Builder.Build(context.Request));
    }

    [Fact]
    public void Build_NoTrustedProxiesConfigured_HeadersIgnored()
    {
        var builder = new ForwardedRequestUri(TrustedProxies.None);
        var context = Request("10.0.0.1", ("Forwarded", "proto=https;host=api.example.com"));

        Assert.Equal("http://gateway.internal:8080/base/api/orders", builder.Build(context.Request));
    }

    [Fact]
    public void Build_NoPeerAddress_Untrusted()
    {
        var context = Request("10.0.0.1", ("X-Forwarded-Host", "api.example.com"));
        context.Connection.RemoteIpAddress = null;

        Assert.Equal("http://gateway.internal:8080/base/api/orders", Builder.Build(context.Request));
    }

    [Fact]
    public void Build_ForwardedHeader_LastElementCountsAndWinsOverXForwarded()
    {
        var context = Request("10.0.0.1",
            ("Forwarded", "for=198.51.100.1;proto=http;host=spoofed.example.com, for=10.0.0.2;proto=https;host=\"api.example.com:8443\""),
            ("X-Forwarded-Host", "other.example.com"));

        Assert.Equal("https://api.example.com:8443/base/api/orders", Builder.Build(context.Request));
    }

    [Fact]
    public void Build_SeveralXForwardedValues_RightmostCounts()
    {
        var context = Request("10.0.0.1", ("X-Forwarded-Proto", "http, https"), ("X-Forwarded-Host", "spoofed.example.com, api.example.com"));

        Assert.Equal("https://api.example.com/base/api/orders", Builder.Build(context.Request));
    }

    [Theory]
    [InlineData("API.Example.COM:443", "https://api.example.com/base/api/orders")]
    [InlineData("api.example.com:80", "https://api.example.com:80/base/api/orders")]
    public void Build_HostAndPort_Normalised(string host, string expected)
    {
        var context = Request("10.0.0.1", ("X-Forwarded-Proto", "HTTPS"), ("X-Forwarded-Host", host));

        Assert.Equal(expected, Builder.Build(context.Request));
    }

    [Theory]
    [InlineData("evil.example.com/path")]
    [InlineData("user@evil.example.com")]
    [InlineData("evil.example.com?x")]
    [InlineData("evil example.com")]
    [InlineData("evil%2eexample.com")]
    public void Build_ForwardedHostThatIsNoHost_Ignored(string host)
    {
        var context = Request("10.0.0.1", ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", host));

        Assert.Equal("https://gateway.internal:8080/base/api/orders", Builder.Build(context.Request));
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("javascript")]
    [InlineData("")]
    public void Build_ForwardedSchemeThatIsNotHttp_Ignored(string proto)
    {
        var context = Request("10.0.0.1", ("X-Forwarded-Proto", proto));

        Assert.Equal("http://gateway.internal:8080/base/api/orders", Builder.Build(context.Request));
    }

    [Fact]
    public void Build_EscapedPath_SameFormAProofsHtuNormalisesTo()
    {
        var context = Request("203.0.113.1");
        context.Request.PathBase = PathString.Empty;
        context.Request.Path = "/files/a b/ü";
        var built = Builder.Build(context.Request);

        Assert.Equal("http://gateway.internal:8080/files/a%20b/%C3%BC", built);
        Assert.Equal(built, DpopHtu.Normalize("http://GATEWAY.internal:8080/files/a%20b/%c3%bc?q"));
    }

    [Fact]
    public void Build_NoHost_Null()
    {
        var context = Request("203.0.113.1");
        context.Request.Host = default;

        Assert.Null(Builder.Build(context.Request));
    }
}
