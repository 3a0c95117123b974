using System.Net;
using System.Text.RegularExpressions;
using Gateway.OperatorConsole;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Console;

/// <summary>The console's protections, over plain HTTP: listener, CSP, cookie flags, CSRF, sign-in.</summary>
public sealed partial class ConsoleHttpTests(SessionGateway fixture) : IClassFixture<SessionGateway>
{
    private static HttpClient NewClient(Uri baseAddress) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    private static async Task<string> CsrfOfAsync(HttpResponseMessage response) =>
        WebUtility.HtmlDecode(CsrfField().Match(await response.Content.ReadAsStringAsync()).Groups[1].Value);

    private async Task<(HttpClient Client, string Csrf)> SignInAsync()
    {
        var client = NewClient(fixture.Gateway.AdminUrl);
        using var form = await client.GetAsync("/console");
        var pre = await CsrfOfAsync(form);
        using var signIn = await client.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = pre, ["key"] = SessionGateway.ApiKey }));
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        using var page = await client.GetAsync("/console/user");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return (client, await CsrfOfAsync(page));
    }

    [Fact]
    public async Task SignInPage_IsServedOnTheAdminListenerOnly_WithAStrictCsp()
    {
        using var client = NewClient(fixture.Gateway.AdminUrl);
        using var response = await client.GetAsync("/console");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body} {string.Join("\n", fixture.Gateway.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message + e.Exception))}");
        Assert.Equal(ConsoleEndpoints.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("<form method=\"post\" action=\"/console/sign-in\">", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", body, StringComparison.Ordinal);

        using var onPublic = await fixture.Gateway.PublicClient.GetAsync("/console");
        Assert.NotEqual(HttpStatusCode.OK, onPublic.StatusCode);
    }

    [Fact]
    public async Task Session_CookieIsOpaqueHttpOnlyStrict_AndFormsNeedTheirCsrfToken()
    {
        var client = NewClient(fixture.Gateway.AdminUrl);
        using var form = await client.GetAsync("/console");
        var pre = await CsrfOfAsync(form);
        using var signIn = await client.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = pre, ["key"] = SessionGateway.ApiKey }));
        var setCookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gw_console=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(SessionGateway.ApiKey, setCookie, StringComparison.Ordinal);
        client.Dispose();

        var (signedIn, csrf) = await SignInAsync();
        using (signedIn)
        {
            var revoke = new Dictionary<string, string> { ["action"] = "user", ["sub"] = "csrf-victim" };
            using var without = await signedIn.PostAsync("/console/revoke", new FormUrlEncodedContent(revoke));
            Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
            revoke["csrf"] = csrf + "x";
            using var wrong = await signedIn.PostAsync("/console/revoke", new FormUrlEncodedContent(revoke));
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            revoke["csrf"] = csrf;
            using var right = await signedIn.PostAsync("/console/revoke", new FormUrlEncodedContent(revoke));
            Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        }

        // No session: pages send to the sign-in page, actions are refused.
        using var anonymous = NewClient(fixture.Gateway.AdminUrl);
        using var page = await anonymous.GetAsync("/console/audit");
        Assert.Equal(HttpStatusCode.SeeOther, page.StatusCode);
        using var action = await anonymous.PostAsync("/console/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "user", ["sub"] = "x" }));
        Assert.Equal(HttpStatusCode.Unauthorized, action.StatusCode);
    }

    [Fact]
    public async Task EveryValueIsHtmlEncoded()
    {
        var (client, csrf) = await SignInAsync();
        using (client)
        {
            var token = fixture.Token("<script>alert(1)</script>", sid: "\"><img src=x>");
            using var inspect = await client.PostAsync("/console/inspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["token"] = token }));
            var body = await inspect.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, inspect.StatusCode);
            Assert.DoesNotContain("<script>alert", body, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x>", body, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;", body, StringComparison.Ordinal);
        }
    }
}
