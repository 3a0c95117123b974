using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Testing;

/// <summary>
/// A real OpenID Provider (panva's <c>oidc-provider</c>, run by node from <c>gateway.testing/IdentityProvider</c>) on a
/// loopback port, issuing JWT access tokens for <see cref="DefaultResource"/>, with DPoP, refresh token rotation,
/// back-channel logout and key rotation. The grant methods drive the real protocol over HTTP: the authorization code
/// flow goes through the provider's own login and consent forms (devInteractions: any user name, any password).
/// Use as a class fixture; override <see cref="Configure"/> to change clients or resources. Runs <c>npm ci</c> first
/// when <c>node_modules</c> is missing. See <c>gateway.testing/IdentityProvider/README.md</c>.
/// </summary>
public partial class OidcProvider : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>The default resource indicator, and the <c>aud</c> of access tokens issued for it.</summary>
    public const string DefaultResource = "https://api.test";

    /// <summary>Default clients; each signs its ID tokens and logout tokens with the named algorithm.</summary>
    public const string Es256Client = "rp-es256";

    /// <inheritdoc cref="Es256Client"/>
    public const string Rs256Client = "rp-rs256";

    /// <inheritdoc cref="Es256Client"/>
    public const string Ps256Client = "rp-ps256";

    private const string ReadyPrefix = "OIDC-PROVIDER-READY ";

    private readonly ConcurrentDictionary<string, OidcClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OidcBrowser> _browsersByIdToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string ClientId, OidcBrowser? Browser)> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<OidcBrowser> _browsers = [];
    private readonly StringBuilder _output = new();
    private Process? _process;
    private HttpClient? _http;
    private Uri? _issuerUri;
    private int _dpopNonceChallenges;

    /// <summary>The issuer, <c>http://127.0.0.1:port</c> (no trailing slash), exactly as tokens carry it in <c>iss</c>.</summary>
    public string Issuer { get; private set; } = string.Empty;

    /// <summary>The version of node running the provider (<c>v20.19.0</c>, say).</summary>
    public string NodeVersion { get; private set; } = string.Empty;

    /// <summary>The provider's JWKS endpoint.</summary>
    public string JwksUri => Issuer + "/jwks";

    /// <summary>The token endpoint (the <c>htu</c> of DPoP proofs for it).</summary>
    public Uri TokenEndpoint => new(IssuerUri, "token");

    /// <summary>How many times the provider answered <c>use_dpop_nonce</c> and the fixture retried with its nonce.</summary>
    public int DpopNonceChallenges => Volatile.Read(ref _dpopNonceChallenges);

    /// <summary>A plain client for the provider (no cookies, no redirects), for requests the fixture does not wrap.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("The identity provider is not started");

    /// <summary>The options the provider was started with.</summary>
    public OidcProviderOptions Options { get; } = new();

    private Uri IssuerUri => _issuerUri ?? throw new InvalidOperationException("The identity provider is not started");

    public async Task InitializeAsync()
    {
        Configure(Options);
        foreach (var client in Options.Clients)
        {
            _clients[client.ClientId] = client;
        }

        var directory = ProjectDirectory();
        await NodeModules.EnsureInstalledAsync(directory);
        await LaunchAsync(directory);
        _http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = IssuerUri,
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    /// <summary>Changes the options before the provider starts.</summary>
    protected virtual void Configure(OidcProviderOptions options)
    {
    }

    /// <summary>The client credentials grant: an access token whose <c>sub</c> is the client id.</summary>
    public Task<OidcTokens> ClientCredentialsAsync(string clientId = Es256Client, string scope = "api:read", string resource = DefaultResource) =>
        TokenRequestAsync(clientId, ClientCredentialsForm(scope, resource), dpopKey: null, browser: null);

    /// <summary>The client credentials grant with a DPoP proof by <paramref name="dpopKey"/>: the token carries <c>cnf.jkt</c>.</summary>
    public Task<OidcTokens> ClientCredentialsDpopAsync(ECDsa dpopKey, string clientId = Es256Client, string scope = "api:read", string resource = DefaultResource) =>
        TokenRequestAsync(clientId, ClientCredentialsForm(scope, resource), dpopKey, browser: null);

    /// <summary>
    /// The authorization code flow with PKCE (S256) as a browser would run it, through the provider's login and consent
    /// forms, as <paramref name="user"/> (who becomes <c>sub</c>). With <c>offline_access</c> among the scopes a refresh token
    /// comes back; with <paramref name="dpopKey"/> the access token is DPoP-bound (the proof goes to the token endpoint).
    /// Each call is a new browser, so a new provider session (a new <c>sid</c>).
    /// </summary>
    public async Task<OidcTokens> AuthorizationCodeAsync(
        string clientId = Es256Client,
        string user = "alice",
        string scopes = "openid offline_access api:read",
        string resource = DefaultResource,
        ECDsa? dpopKey = null)
    {
        var client = ClientFor(clientId);
        var redirectUri = client.RedirectUris[0];
        var verifier = RandomToken();
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = RandomToken();
        var browser = new OidcBrowser(IssuerUri, clientId);
        _browsers.Add(browser);

        var query = Query(
            ("client_id", clientId),
            ("response_type", "code"),
            ("redirect_uri", redirectUri),
            ("scope", scopes),
            ("state", state),
            ("nonce", RandomToken()),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("resource", resource),
            // OpenID Connect Core 11: offline_access is ignored unless the user is asked for consent.
            ("prompt", "consent"));
        var next = await RedirectTargetAsync(browser, await browser.Client.GetAsync("auth?" + query));
        string? code = null;
        for (var hop = 0; hop < 12 && code is null; hop++)
        {
            if (next.AbsoluteUri.StartsWith(redirectUri, StringComparison.Ordinal))
            {
                var parameters = ParseQuery(next.Query);
                if (parameters.TryGetValue("error", out var error))
                {
                    throw new InvalidOperationException($"The authorization request failed: {error} {parameters.GetValueOrDefault("error_description")}");
                }

                Assert.Equal(state, parameters["state"]);
                code = parameters["code"];
            }
            else if (next.AbsolutePath.StartsWith("/interaction/", StringComparison.Ordinal))
            {
                next = await SubmitInteractionAsync(browser, next, user);
            }
            else
            {
                next = await RedirectTargetAsync(browser, await browser.Client.GetAsync(next));
            }
        }

        if (code is null)
        {
            throw new InvalidOperationException("The authorization code flow did not reach the redirect URI; last stop: " + next + Diagnostics());
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", redirectUri),
            new("code_verifier", verifier),
            new("resource", resource),
        };
        return await TokenRequestAsync(clientId, form, dpopKey, browser);
    }

    /// <summary>
    /// The refresh token grant. Refresh tokens rotate: the one presented is used up and the result carries its successor
    /// (and a new ID token when the login asked for <c>openid</c>). The granted resource is used again.
    /// </summary>
    public Task<OidcTokens> RefreshAsync(string refreshToken, ECDsa? dpopKey = null)
    {
        if (!_refreshTokens.TryGetValue(refreshToken, out var origin))
        {
            throw new InvalidOperationException("That refresh token was not issued through this fixture (its client is unknown).");
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
        };
        return TokenRequestAsync(origin.ClientId, form, dpopKey, origin.Browser);
    }

    /// <summary>
    /// RP-initiated logout of the session that issued <paramref name="idToken"/>: <c>end_session</c> with the ID token as
    /// <c>id_token_hint</c>, in the browser that logged in, then the provider's confirmation form ("yes, sign me out").
    /// The provider POSTs a back-channel logout token to each client of that session that has a
    /// <c>backchannel_logout_uri</c>, and answers only when those POSTs are done, so they have arrived when this returns.
    /// </summary>
    public async Task LogoutAsync(string idToken)
    {
        if (!_browsersByIdToken.TryGetValue(idToken, out var browser))
        {
            throw new InvalidOperationException("That ID token was not issued through this fixture's authorization code flow: no browser session to log out.");
        }

        using var page = await browser.Client.GetAsync("session/end?" + Query(("id_token_hint", idToken)));
        var html = await page.Content.ReadAsStringAsync();
        if (page.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"end_session answered {(int)page.StatusCode}: {html}{Diagnostics()}");
        }

        var xsrf = XsrfField().Match(html);
        var action = FormAction().Match(html);
        if (!xsrf.Success || !action.Success)
        {
            throw new InvalidOperationException("end_session did not render the logout confirmation form: " + html);
        }

        using var confirm = await browser.Client.PostAsync(
            new Uri(IssuerUri, WebUtility.HtmlDecode(action.Groups[1].Value)),
            new FormUrlEncodedContent([new("xsrf", WebUtility.HtmlDecode(xsrf.Groups[1].Value)), new("logout", "yes")]));
        if ((int)confirm.StatusCode >= 400)
        {
            throw new InvalidOperationException($"The logout confirmation answered {(int)confirm.StatusCode}: {await confirm.Content.ReadAsStringAsync()}{Diagnostics()}");
        }
    }

    /// <summary>The provider's current JWKS, as a relying party would fetch it.</summary>
    public async Task<JsonObject> GetJwksAsync() => await GetJsonAsync("jwks");

    /// <summary>
    /// Replaces every signing key (one per algorithm) with a new one under a new <c>kid</c>: new tokens are signed by the
    /// new keys and the old keys leave the JWKS (unless <paramref name="retainPrevious"/>). Returns the new JWKS.
    /// Note that ID tokens signed by a removed key no longer work as <c>id_token_hint</c> for <see cref="LogoutAsync"/>.
    /// </summary>
    public async Task<JsonObject> RotateKeysAsync(bool retainPrevious = false)
    {
        var result = await PostJsonAsync("__test/rotate-keys", new JsonObject { ["retainPrevious"] = retainPrevious });
        return result["jwks"]!.AsObject();
    }

    /// <summary>Adds (or replaces) a client while the provider runs, e.g. one whose back-channel logout URI a test just started.</summary>
    public async Task RegisterClientAsync(OidcClient client)
    {
        await PostJsonAsync("__test/clients", client.ToMetadata());
        _clients[client.ClientId] = client;
    }

    /// <summary>Turns <c>sid</c> in user access tokens on or off from now on (oidc-provider's <c>extraTokenClaims</c>).</summary>
    public async Task SetAccessTokenSidAsync(bool enabled) =>
        await PostJsonAsync("__test/settings", new JsonObject { ["accessTokenSid"] = enabled });

    /// <summary>What the provider recorded: back-channel logout successes and failures, grant errors.</summary>
    public async Task<JsonArray> EventsAsync() => (await GetJsonAsync("__test/events"))["events"]!.AsArray();

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        foreach (var browser in _browsers)
        {
            browser.Dispose();
        }

        _http?.Dispose();
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
            _process = null;
        }

        return ValueTask.CompletedTask;
    }

    private static List<KeyValuePair<string, string>> ClientCredentialsForm(string scope, string resource) =>
    [
        new("grant_type", "client_credentials"),
        new("scope", scope),
        new("resource", resource),
    ];

    private async Task<OidcTokens> TokenRequestAsync(string clientId, List<KeyValuePair<string, string>> form, ECDsa? dpopKey, OidcBrowser? browser)
    {
        var client = ClientFor(clientId);
        var proofs = dpopKey is null ? null : new DpopProofBuilder(dpopKey);
        string? nonce = null;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(client.ClientId) + ":" + Uri.EscapeDataString(client.Secret))));
            if (proofs is not null)
            {
                request.Headers.Add("DPoP", proofs.Build("POST", TokenEndpoint, nonce: nonce));
            }

            using var response = await Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var body = JsonNode.Parse(text)?.AsObject() ?? [];
            if (response.StatusCode == HttpStatusCode.BadRequest && proofs is not null && attempt == 0 &&
                (string?)body["error"] == "use_dpop_nonce" && response.Headers.TryGetValues("DPoP-Nonce", out var nonces))
            {
                Interlocked.Increment(ref _dpopNonceChallenges);
                nonce = nonces.First();
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The token endpoint answered {(int)response.StatusCode} to {Grant(form)}: {text}{Diagnostics()}");
            }

            var tokens = new OidcTokens(
                clientId,
                (string)body["access_token"]!,
                (string)body["token_type"]!,
                (long?)body["expires_in"] ?? 0,
                (string?)body["scope"],
                (string?)body["refresh_token"],
                (string?)body["id_token"]);
            if (tokens.RefreshToken is not null)
            {
                _refreshTokens[tokens.RefreshToken] = (clientId, browser);
            }

            if (tokens.IdToken is not null && browser is not null)
            {
                _browsersByIdToken[tokens.IdToken] = browser;
            }

            return tokens;
        }
    }

    /// <summary>Renders the interaction page (login or consent), fills in its form and returns where the provider sends the browser next.</summary>
    private async Task<Uri> SubmitInteractionAsync(OidcBrowser browser, Uri page, string user)
    {
        using var response = await browser.Client.GetAsync(page);
        var html = await response.Content.ReadAsStringAsync();
        var prompt = PromptField().Match(html);
        var action = FormAction().Match(html);
        if (response.StatusCode != HttpStatusCode.OK || !prompt.Success || !action.Success)
        {
            throw new InvalidOperationException($"Unexpected interaction page ({(int)response.StatusCode}): {html}{Diagnostics()}");
        }

        var fields = new List<KeyValuePair<string, string>> { new("prompt", prompt.Groups[1].Value) };
        switch (prompt.Groups[1].Value)
        {
            case "login":
                fields.Add(new("login", user));
                fields.Add(new("password", "any-password"));
                break;
            case "consent":
                break;
            default:
                throw new InvalidOperationException("Unknown interaction prompt " + prompt.Groups[1].Value);
        }

        using var submitted = await browser.Client.PostAsync(new Uri(IssuerUri, WebUtility.HtmlDecode(action.Groups[1].Value)), new FormUrlEncodedContent(fields));
        return await RedirectTargetAsync(browser, submitted);
    }

    private async Task<Uri> RedirectTargetAsync(OidcBrowser browser, HttpResponseMessage response)
    {
        using (response)
        {
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is null)
            {
                throw new InvalidOperationException(
                    $"Expected a redirect for client {browser.ClientId}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}{Diagnostics()}");
            }

            return new Uri(IssuerUri, response.Headers.Location);
        }
    }

    private OidcClient ClientFor(string clientId) =>
        _clients.TryGetValue(clientId, out var client) ? client : throw new ArgumentException($"Unknown client {clientId}", nameof(clientId));

    private async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<JsonObject> PostJsonAsync(string path, JsonObject body)
    {
        using var response = await Http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text}{Diagnostics()}");
        }

        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task LaunchAsync(string directory)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("server.mjs");
        start.ArgumentList.Add(Options.ToJson().ToJsonString());

        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "node is not on PATH. Install Node.js and npm (apt-get install -y nodejs npm; .ci/run does this) to run the identity provider tests.", ex);
        }

        // stdin stays open: server.mjs exits when it closes, so a crashed test run leaves no provider behind.
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("The identity provider closed its output before it was ready:" + Diagnostics()));
                return;
            }

            if (e.Data.StartsWith(ReadyPrefix, StringComparison.Ordinal))
            {
                ready.TrySetResult(e.Data[ReadyPrefix.Length..]);
            }

            Append(e.Data);
        };
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        string line;
        try
        {
            line = await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            await DisposeAsync();
            throw new TimeoutException("The identity provider did not report ready within 20 s:" + Diagnostics());
        }

        var announced = JsonNode.Parse(line)!.AsObject();
        Issuer = (string)announced["issuer"]!;
        NodeVersion = (string?)announced["node"] ?? string.Empty;
        _issuerUri = new Uri(Issuer + "/");
    }

    private static string ProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in (string[])[Path.Combine(directory.FullName, "IdentityProvider"), Path.Combine(directory.FullName, "gateway.testing", "IdentityProvider")])
            {
                if (File.Exists(Path.Combine(candidate, "server.mjs")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("gateway.testing/IdentityProvider/server.mjs not found above " + AppContext.BaseDirectory);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Diagnostics()
    {
        lock (_output)
        {
            return "\n--- identity provider output ---\n" + _output;
        }
    }

    private static string Grant(List<KeyValuePair<string, string>> form) => form.First(f => f.Key == "grant_type").Value;

    private static string RandomToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static string Query(params (string Name, string Value)[] parameters) =>
        string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value)));

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            result[Uri.UnescapeDataString(name.Replace('+', ' '))] = Uri.UnescapeDataString(value.Replace('+', ' '));
        }

        return result;
    }

    [GeneratedRegex(@"name=""prompt"" value=""([a-z]+)""")]
    private static partial Regex PromptField();

    [GeneratedRegex(@"<form[^>]*action=""([^""]+)""")]
    private static partial Regex FormAction();

    [GeneratedRegex(@"name=""xsrf"" value=""([^""]+)""")]
    private static partial Regex XsrfField();
}
