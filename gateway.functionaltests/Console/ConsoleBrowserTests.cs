using System.Net;
using Gateway.FunctionalTests.Sessions;
using Gateway.Testing;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Console;

/// <summary>
/// The operator console in a real browser (headless Chromium): sign in, look a user up, revoke a session and see the
/// gateway refuse it, inspect a token, the overview screens, and no CSP violation or script error on the way.
/// </summary>
public sealed class ConsoleBrowserTests(SessionGateway fixture, ITestOutputHelper output) : IClassFixture<SessionGateway>
{
    private const string FirefoxOnLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private const string ChromeOnAndroid = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";

    private async Task<HttpStatusCode> CallAsync(string token, string userAgent, string path = "/api/orders")
    {
        using var response = await fixture.Gateway.GetAsync(path, token, new Dictionary<string, string> { ["User-Agent"] = userAgent });
        return response.StatusCode;
    }

    [BrowserFact]
    public async Task Operator_RevokesASessionFromTheConsole_AndTheGatewayRefusesIt()
    {
        var sub = "alice-" + Guid.NewGuid().ToString("N")[..6];
        var laptop = fixture.Token(sub, sid: "laptop-7f3a", claims: new Dictionary<string, object?> { ["client_id"] = "web-app" });
        var phone = fixture.Token(sub, sid: "phone-19c2", claims: new Dictionary<string, object?> { ["client_id"] = "mobile-app" });
        Assert.Equal(HttpStatusCode.OK, await CallAsync(laptop, FirefoxOnLinux));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(phone, ChromeOnAndroid));
        // A refusal for the refusals screen.
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync("not-a-token", FirefoxOnLinux));
        await SessionInventoryTests.DrainAsync(fixture.Gateway);

        using var browser = new Browser();
        var driver = browser.Driver;
        var console = new Uri(fixture.Gateway.AdminUrl, "console");

        // Sign in: a wrong key first, then the right one.
        driver.Navigate().GoToUrl(console);
        Assert.Equal("Sign in · Gateway console", driver.Title);
        browser.Screenshot("console-sign-in");
        browser.Find("key").SendKeys("not-the-key");
        browser.Find("sign-in").Click();
        browser.WaitFor(() => browser.Find("flash").Text.Contains("not a valid admin API key", StringComparison.Ordinal), "the sign-in error");
        browser.Find("key").SendKeys(SessionGateway.ApiKey);
        browser.Find("sign-in").Click();
        browser.WaitFor(() => driver.Url.EndsWith("/console/user", StringComparison.Ordinal), "the users screen");
        var cookie = driver.Manage().Cookies.GetCookieNamed("gw_console")!;
        Assert.True(cookie.IsHttpOnly);
        Assert.Equal("Strict", cookie.SameSite);
        Assert.DoesNotContain(SessionGateway.ApiKey, cookie.Value, StringComparison.Ordinal);

        // Look the user up: both sessions, with their devices.
        browser.Find("sub").SendKeys(sub);
        browser.Find("lookup").Click();
        browser.WaitFor(() => driver.FindElements(By.CssSelector("#sessions tbody tr")).Count == 2, "two sessions");
        var rows = driver.FindElements(By.CssSelector("#sessions tbody tr"));
        Assert.Contains("Chrome on Android", driver.FindElement(By.CssSelector("#sessions tr[data-sid='phone-19c2']")).Text, StringComparison.Ordinal);
        Assert.Contains("Firefox on Linux", driver.FindElement(By.CssSelector("#sessions tr[data-sid='laptop-7f3a']")).Text, StringComparison.Ordinal);
        Assert.All(rows, r => Assert.Contains("live", r.Text, StringComparison.Ordinal));
        browser.Screenshot("console-user");

        // Revoke the laptop's session: the page says so, and the next request through the gateway is refused.
        browser.ClickAndConfirm("revoke-session-laptop-7f3a");
        browser.WaitFor(() => browser.Find("flash").Text.StartsWith("Session revoked", StringComparison.Ordinal), "the revocation message");
        var laptopRow = driver.FindElement(By.CssSelector("#sessions tr[data-sid='laptop-7f3a']"));
        Assert.Contains("revoked", laptopRow.Text, StringComparison.Ordinal);
        browser.Screenshot("console-user-revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(laptop, FirefoxOnLinux));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(phone, ChromeOnAndroid));

        // Paste the laptop's token: header and claims decoded, the signature never shown, and the reason.
        driver.FindElement(By.LinkText("Inspect a token")).Click();
        browser.Find("token").SendKeys(laptop);
        browser.Find("inspect").Click();
        browser.WaitFor(() => browser.Find("reason").Text == "session_revoked", "the decision");
        Assert.Contains("\"sid\": \"laptop-7f3a\"", browser.Find("claims").Text, StringComparison.Ordinal);
        Assert.Contains("\"alg\": \"ES256\"", browser.Find("header").Text, StringComparison.Ordinal);
        var signature = laptop[(laptop.LastIndexOf('.') + 1)..];
        Assert.DoesNotContain(signature, driver.PageSource, StringComparison.Ordinal);
        browser.Screenshot("console-inspect");

        // The overview screens.
        driver.FindElement(By.LinkText("Refusals")).Click();
        browser.WaitFor(() => browser.Find("by-reason").Text.Contains("session_revoked", StringComparison.Ordinal), "the refusals table");
        Assert.Contains("malformed_token", browser.Find("by-reason").Text, StringComparison.Ordinal);
        browser.Screenshot("console-refusals");
        driver.FindElement(By.LinkText("Health")).Click();
        browser.WaitFor(() => browser.Find("checks").Text.Contains("session_store", StringComparison.Ordinal), "the health checks");
        browser.Screenshot("console-health");
        driver.FindElement(By.LinkText("Audit trail")).Click();
        browser.WaitFor(() => browser.Find("audit").Text.Contains("revoke_session", StringComparison.Ordinal), "the audit trail");
        Assert.Contains("console_sign_in", browser.Find("audit").Text, StringComparison.Ordinal);
        browser.Screenshot("console-audit");

        // Sign out: the session cookie no longer opens anything.
        browser.Find("sign-out").Click();
        browser.WaitFor(() => driver.Title.StartsWith("Sign in", StringComparison.Ordinal), "the sign-in page");
        driver.Navigate().GoToUrl(new Uri(fixture.Gateway.AdminUrl, "console/audit"));
        Assert.StartsWith("Sign in", driver.Title, StringComparison.Ordinal);

        // Nothing the CSP refused, no script error, no failed load on any page.
        var log = browser.Log();
        foreach (var entry in log)
        {
            output.WriteLine($"{entry.Level} {entry.Message}");
        }

        Assert.DoesNotContain(log, e => e.Level >= LogLevel.Warning && !e.Message.Contains("/console/sign-in", StringComparison.Ordinal));
        Assert.DoesNotContain(log, e => e.Message.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
