using System.Net;
using System.Text.Json;

namespace Gateway.Testing;

/// <summary>Assertions on the gateway's refusals: status, RFC 6750 challenge, problem+json body.</summary>
public static class Refusals
{
    /// <summary>401, <c>Bearer error="invalid_token", error_description="reason"</c>, a problem+json body with the reason.</summary>
    public static async Task AssertInvalidTokenAsync(HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal($"error=\"invalid_token\", error_description=\"{reason}\"", challenge.Parameter);
        await AssertProblemAsync(response, 401, reason);
    }

    /// <summary>401 with a bare <c>Bearer</c> challenge (no error: the client sent no token) and the token_missing body.</summary>
    public static async Task AssertMissingTokenAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Null(challenge.Parameter);
        await AssertProblemAsync(response, 401, "token_missing");
    }

    /// <summary>
    /// 401 with an RFC 9449 challenge, <c>DPoP error="invalid_dpop_proof"</c> (or <paramref name="error"/>), the reason as
    /// <c>error_description</c> and the accepted proof algorithms as <c>algs</c>, and a problem+json body with the reason.
    /// </summary>
    public static async Task AssertDpopRefusalAsync(HttpResponseMessage response, string reason, string error = "invalid_dpop_proof")
    {
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"expected 401 {reason}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("DPoP", challenge.Scheme);
        Assert.StartsWith($"error=\"{error}\", error_description=\"{reason}\", algs=\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("ES256", challenge.Parameter, StringComparison.Ordinal);
        await AssertProblemAsync(response, 401, reason);
    }

    /// <summary>An <c>application/problem+json</c> body carrying <paramref name="status"/> and <paramref name="reason"/>.</summary>
    public static async Task AssertProblemAsync(HttpResponseMessage response, int status, string reason)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(status, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(reason, body.RootElement.GetProperty("reason").GetString());
    }
}
