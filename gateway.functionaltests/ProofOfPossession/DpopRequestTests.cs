using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Gateway.Testing.Attacks;

namespace Gateway.FunctionalTests.ProofOfPossession;

/// <summary>DPoP-bound tokens (RFC 9449) through a real gateway: the proof decides, and a stolen token alone is useless.</summary>
public sealed class DpopRequestTests(DpopGateway fixture) : IClassFixture<DpopGateway>
{
    private const string Path = "/api/orders";

    [Fact]
    public async Task BoundToken_WithAValidProof_IsForwarded()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key, sub: "dpop-ok");
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url(Path + "?page=2"), token);

        using var response = await fixture.SendAsync(Path + "?page=2", token, proof);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("DPoP-Nonce"), "nonces are off: no DPoP-Nonce header");
        Assert.Contains(fixture.Backend.Requests, r => r.Header("X-Auth-Subject") == "dpop-ok");
    }

    [Fact]
    public async Task BoundToken_ReusedWithAFreshProofEachTime_PassesEveryTime()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proofs = new DpopProofBuilder(key);
        for (var i = 0; i < 3; i++)
        {
            using var response = await fixture.SendAsync(Path, token, proofs.Build("GET", fixture.Url(Path), token));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task BoundToken_PostWithAProofForPost_Passes_AndAGetProofIsRefused()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proofs = new DpopProofBuilder(key);

        using var ok = await DpopGateway.SendAsync(fixture.Gateway, HttpMethod.Post, Path, "DPoP", token, [proofs.Build("POST", fixture.Url(Path), token)]);
        using var wrong = await DpopGateway.SendAsync(fixture.Gateway, HttpMethod.Post, Path, "DPoP", token, [proofs.Build("GET", fixture.Url(Path), token)]);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await Refusals.AssertDpopRefusalAsync(wrong, "dpop_htm_mismatch");
    }

    [Fact]
    public async Task Proof_ForAnotherUri_IsRefused()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url("/api/other"), token);

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proof), "dpop_htu_mismatch");
    }

    [Fact]
    public async Task Proof_ForAnotherHost_IsRefused_UnlessATrustedProxyForwardedThatHost()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proofs = new DpopProofBuilder(key);
        var publicUri = new Uri("https://api.example.com" + Path);

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proofs.Build("GET", publicUri, token)), "dpop_htu_mismatch");

        // Loopback is a trusted proxy in this fixture: its X-Forwarded-Proto/-Host name the URI the client addressed.
        using var forwarded = await DpopGateway.SendAsync(fixture.Gateway, HttpMethod.Get, Path, "DPoP", token, [proofs.Build("GET", publicUri, token)],
            new Dictionary<string, string> { ["X-Forwarded-Proto"] = "https", ["X-Forwarded-Host"] = "api.example.com" });
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
    }

    [Fact]
    public async Task Proof_ForAnotherToken_IsRefused()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var other = fixture.BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url(Path), other);

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proof), "dpop_ath_mismatch");
    }

    [Fact]
    public async Task Proof_WithoutAth_IsRefused()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url(Path));

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proof), "dpop_ath_mismatch");
    }

    [Fact]
    public async Task Proof_Replayed_IsRefusedTheSecondTime()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url(Path), token);

        using var first = await fixture.SendAsync(Path, token, proof);
        using var second = await fixture.SendAsync(Path, token, proof);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await Refusals.AssertDpopRefusalAsync(second, "dpop_proof_replayed");
    }

    [Fact]
    public async Task Proof_Stale_IsRefused_AndOneFromTheFutureToo()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proofs = new DpopProofBuilder(key);

        var stale = proofs.Build("GET", fixture.Url(Path), token, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-5));
        var future = proofs.Build("GET", fixture.Url(Path), token, issuedAt: DateTimeOffset.UtcNow.AddMinutes(5));

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, stale), "dpop_proof_stale");
        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, future), "dpop_proof_future");
    }

    [Fact]
    public async Task Proof_WhoseJwkCarriesThePrivateKey_IsRefused()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var (header, payload) = Parts(key, token);
        header["jwk"]!["d"] = Jose.B64(key.ExportParameters(includePrivateParameters: true).D!);

        var proof = Jose.Sign(header, payload, Jose.Es256(key));

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proof), "dpop_jwk_private");
    }

    [Fact]
    public async Task Proof_WithASymmetricAlgorithm_IsRefused()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var secret = RandomNumberGenerator.GetBytes(32);
        var (header, payload) = Parts(key, token);
        header["alg"] = "HS256";
        header["jwk"] = new JsonObject { ["kty"] = "oct", ["k"] = Jose.B64(secret) };

        var proof = Jose.Sign(header, payload, Jose.Hs256(secret));

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proof), "dpop_algorithm_not_allowed");
    }

    [Fact]
    public async Task Proof_ByAnotherKey_IsRefused()
    {
        using var key = NewKey();
        using var thief = NewKey();
        var token = fixture.BoundToken(key);
        var proof = new DpopProofBuilder(thief).Build("GET", fixture.Url(Path), token);

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proof), "dpop_key_mismatch");
    }

    [Fact]
    public async Task Proof_WithABadSignature_IsRefused()
    {
        using var key = NewKey();
        using var other = NewKey();
        var token = fixture.BoundToken(key);
        var (header, payload) = Parts(key, token);

        var proof = Jose.Sign(header, payload, Jose.Es256(other));

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proof), "dpop_signature_invalid");
    }

    [Fact]
    public async Task BoundToken_SentAsBearer_IsRefused_EvenWithAValidProof()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url(Path), token);

        using var bare = await fixture.Gateway.GetAsync(Path, token);
        using var withProof = await DpopGateway.SendAsync(fixture.Gateway, HttpMethod.Get, Path, "Bearer", token, [proof]);

        await Refusals.AssertDpopRefusalAsync(bare, "dpop_scheme_required");
        await Refusals.AssertDpopRefusalAsync(withProof, "dpop_scheme_required");
    }

    [Fact]
    public async Task BoundToken_WithoutAProof_IsRefused()
    {
        using var key = NewKey();

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, fixture.BoundToken(key)), "dpop_proof_missing");
    }

    [Fact]
    public async Task BoundToken_WithTwoDpopHeaderLines_IsRefused()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proofs = new DpopProofBuilder(key);
        var url = fixture.Url(Path);

        // HttpClient folds repeated headers into one line; two lines need a raw request.
        var head = await RawGetAsync(url, $"Authorization: DPoP {token}", $"DPoP: {proofs.Build("GET", url, token)}", $"DPoP: {proofs.Build("GET", url, token)}");

        Assert.StartsWith("HTTP/1.1 401", head, StringComparison.Ordinal);
        Assert.Contains("error_description=\"dpop_proof_missing\"", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BoundToken_WithTwoProofsInOneHeader_IsRefused()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proofs = new DpopProofBuilder(key);

        using var response = await fixture.SendAsync(Path, token, proofs.Build("GET", fixture.Url(Path), token), proofs.Build("GET", fixture.Url(Path), token));

        await Refusals.AssertDpopRefusalAsync(response, "dpop_proof_invalid");
    }

    [Fact]
    public async Task PlainToken_WithTheDpopScheme_IsRefused()
    {
        using var key = NewKey();
        var token = fixture.Token();
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url(Path), token);

        await Refusals.AssertDpopRefusalAsync(await fixture.SendAsync(Path, token, proof), "dpop_key_mismatch");
    }

    [Fact]
    public async Task PlainBearerToken_StillPasses_WhereDpopIsAllowed()
    {
        using var response = await fixture.Gateway.GetAsync(Path, fixture.Token());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RouteRequiringDpop_RefusesAPlainBearerToken_AndPassesABoundOne()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url("/strict/x"), token);

        using var plain = await fixture.Gateway.GetAsync("/strict/x", fixture.Token());
        using var bound = await fixture.SendAsync("/strict/x", token, proof);

        await Refusals.AssertDpopRefusalAsync(plain, "dpop_required");
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
    }

    [Fact]
    public async Task DpopScheme_IsCaseInsensitive()
    {
        using var key = NewKey();
        var token = fixture.BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url(Path), token);

        using var response = await DpopGateway.SendAsync(fixture.Gateway, HttpMethod.Get, Path, "dpop", token, [proof]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RevokedSession_RefusesItsBoundToken_WhateverTheProof()
    {
        using var key = NewKey();
        var sub = "dpop-" + Guid.NewGuid().ToString("N")[..8];
        var token = fixture.BoundToken(key, sub: sub, sid: "laptop");
        var proofs = new DpopProofBuilder(key);
        using (var before = await fixture.SendAsync(Path, token, proofs.Build("GET", fixture.Url(Path), token)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var revoke = new HttpRequestMessage(HttpMethod.Post, "/admin/revoke/session") { Content = JsonContent.Create(new { sub, sid = "laptop" }) };
        revoke.Headers.Add("X-Api-Key", DpopGateway.ApiKey);
        using (var revoked = await fixture.Gateway.AdminClient.SendAsync(revoke))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        using var after = await fixture.SendAsync(Path, token, proofs.Build("GET", fixture.Url(Path), token));
        await Refusals.AssertInvalidTokenAsync(after, "session_revoked");
    }

    private static async Task<string> RawGetAsync(Uri url, params string[] headers)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(url.Host, url.Port);
        var stream = client.GetStream();
        var request = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nConnection: close\r\n{string.Join("", headers.Select(h => h + "\r\n"))}\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    // The parts of a valid proof for GET /api/orders, to bend before signing.
    private (JsonObject Header, JsonObject Payload) Parts(ECDsa key, string token)
    {
        var proof = new DpopProofBuilder(key).Build("GET", fixture.Url(Path), token);
        return (TokenFactory.Part(proof, 0), TokenFactory.Part(proof, 1));
    }
}
