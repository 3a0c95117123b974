using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Gateway.Admin;
using Gateway.Gate.Refusals;
using Gateway.Sessions;
using Gateway.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.OperatorConsole;

/// <summary>
/// The console's HTML, server-rendered. Every value that did not come from this file goes through <see cref="E"/>
/// (HTML-encoded, quotes included, so it is safe in text and in quoted attributes).
/// </summary>
internal static class ConsolePages
{
    public const string Base = "/console";

    public static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public static string Time(long unixSeconds) => unixSeconds <= 0 ? "-" :
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A table cell's time, UTC (the column header says so).</summary>
    public static string Short(long unixSeconds) => unixSeconds <= 0 ? "-" :
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The page frame: navigation (when signed in), an optional message, the body.</summary>
    public static string Layout(string title, string current, ConsoleSession? session, string body, Flash? flash = null)
    {
        var sb = new StringBuilder(4096);
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<title>").Append(E(title)).Append(" · Gateway console</title>")
          .Append("<link rel=\"icon\" href=\"").Append(ConsoleAssets.IconPath).Append("\" type=\"image/svg+xml\">")
          .Append("<link rel=\"stylesheet\" href=\"").Append(ConsoleAssets.StylePath).Append("\">")
          .Append("<script src=\"").Append(ConsoleAssets.ScriptPath).Append("\" defer></script></head><body><header><h1>Gateway console</h1>");
        if (session is not null)
        {
            sb.Append("<nav>");
            foreach (var (href, label, id) in new[]
            {
                (Base + "/user", "Users", "user"), (Base + "/inspect", "Inspect a token", "inspect"), (Base + "/refusals", "Refusals", "refusals"),
                (Base + "/health", "Health", "health"), (Base + "/audit", "Audit trail", "audit"),
            })
            {
                sb.Append("<a href=\"").Append(href).Append('"').Append(id == current ? " class=\"current\"" : "").Append('>').Append(label).Append("</a>");
            }

            sb.Append("</nav><span class=\"who\">signed in with ").Append(E(session.KeyId)).Append("</span>")
              .Append("<form method=\"post\" action=\"").Append(Base).Append("/sign-out\">").Append(Csrf(session))
              .Append("<button class=\"quiet\" type=\"submit\" id=\"sign-out\">Sign out</button></form>");
        }

        sb.Append("</header><main>");
        if (flash is not null)
        {
            sb.Append("<div class=\"flash").Append(flash.Error ? " error" : "").Append("\" id=\"flash\">").Append(E(flash.Message)).Append("</div>");
        }

        sb.Append(body).Append("</main></body></html>");
        return sb.ToString();
    }

    public static string Csrf(ConsoleSession session) => $"<input type=\"hidden\" name=\"csrf\" value=\"{E(session.Csrf)}\">";

    public static string SignIn(string preToken, string? error) =>
        $"""
        <section class="card signin"><h2>Sign in</h2>
        <p class="muted">Use one of the gateway's admin API keys (<code>Gateway:Admin:ApiKeys</code>). The key stays on the server: the browser gets an opaque session cookie.</p>
        {(error is null ? "" : $"<div class=\"flash error\" id=\"flash\">{E(error)}</div>")}
        <form method="post" action="{Base}/sign-in">
        <input type="hidden" name="csrf" value="{E(preToken)}">
        <label for="key">Admin API key</label><input type="password" id="key" name="key" autocomplete="off" required data-autofocus>
        <p><button type="submit" id="sign-in">Sign in</button></p></form></section>
        """;

    private static string IssuerField(IReadOnlyList<string> issuers, string? selected)
    {
        if (issuers.Count <= 1)
        {
            return "";
        }

        var sb = new StringBuilder("<div><label for=\"iss\">Issuer</label><select id=\"iss\" name=\"iss\">");
        foreach (var issuer in issuers)
        {
            sb.Append("<option value=\"").Append(E(issuer)).Append('"').Append(issuer == selected ? " selected" : "").Append('>').Append(E(issuer)).Append("</option>");
        }

        return sb.Append("</select></div>").ToString();
    }

    public static string LookupForm(IReadOnlyList<string> issuers, string? sub, string? iss) =>
        $"""
        <section class="card"><h2>Look up a user</h2>
        <form method="get" action="{Base}/user" class="row">
        <div><label for="sub">Subject (<code>sub</code>)</label><input type="text" id="sub" name="sub" value="{E(sub)}" required data-autofocus></div>
        {IssuerField(issuers, iss)}
        <div><button type="submit" id="lookup">Look up</button></div></form></section>
        """;

    private static string Hidden(string name, string? value) => value is null ? "" : $"<input type=\"hidden\" name=\"{name}\" value=\"{E(value)}\">";

    private static string ActionForm(ConsoleSession session, string action, UserKey user, string? sid, string label, string confirm, string id, string css = "danger") =>
        $"<form class=\"inline\" method=\"post\" action=\"{Base}/revoke\" data-confirm=\"{E(confirm)}\">{Csrf(session)}{Hidden("action", action)}" +
        $"{Hidden("sub", user.Subject)}{Hidden("iss", user.Issuer)}{Hidden("sid", sid)}<button type=\"submit\" class=\"{css}\" id=\"{E(id)}\">{E(label)}</button></form>";

    public static string User(ConsoleSession session, IReadOnlyList<string> issuers, UserKey user, UserState state, IReadOnlyList<SessionView> sessions)
    {
        var sb = new StringBuilder(LookupForm(issuers, user.Subject, user.Issuer));
        sb.Append("<section class=\"card\" id=\"user\"><h2>User <code>").Append(E(user.Subject)).Append("</code></h2><dl class=\"facts\">")
          .Append("<dt>Issuer</dt><dd><code>").Append(E(user.Issuer)).Append("</code></dd>")
          .Append("<dt>Version</dt><dd id=\"version\">").Append(N(state.Version)).Append("</dd>")
          .Append("<dt>Cut-off</dt><dd>").Append(state.Cutoff is { } c ? E(Time(c)) + " <span class=\"muted\">(tokens issued at or before it are dead)</span>" : "none").Append("</dd>")
          .Append("<dt>Active session</dt><dd>").Append(state.ActiveSession is { } a ? "<code>" + E(a) + "</code> (sessions/activate)" : "none set by sessions/activate").Append("</dd></dl>")
          .Append("<p>").Append(ActionForm(session, "user", user, null, "Sign out everywhere", $"Revoke every token of {user.Subject}?", "revoke-user")).Append("</p></section>");

        sb.Append("<section class=\"card\"><h3>Sessions and devices seen</h3>");
        if (sessions.Count == 0)
        {
            sb.Append("<p class=\"muted\" id=\"no-sessions\">The gateway has seen no session of this user (inventory entries expire with the sessions).</p>");
        }
        else
        {
            sb.Append("<table id=\"sessions\"><thead><tr><th>Session</th><th>State</th><th>Client</th><th>Device</th><th>Network</th><th>First seen (UTC)</th><th>Last seen (UTC)</th><th>Newest token (UTC)</th><th></th></tr></thead><tbody>");
            foreach (var view in sessions)
            {
                var r = view.Record;
                sb.Append("<tr data-sid=\"").Append(E(r.Sid)).Append("\"><td class=\"time\"><code>").Append(E(r.Sid)).Append("</code></td>")
                  .Append("<td><span class=\"state ").Append(E(view.State)).Append("\">").Append(E(view.State)).Append("</span></td>")
                  .Append("<td>").Append(E(r.Client ?? "-")).Append("</td><td>").Append(E(r.Agent ?? "-")).Append("</td><td>").Append(E(r.Address ?? "-")).Append("</td>")
                  .Append("<td class=\"time\">").Append(E(Short(r.FirstSeen))).Append("</td><td class=\"time\">").Append(E(Short(r.LastSeen))).Append("</td><td class=\"time\">").Append(E(Short(r.NewestIat))).Append("</td><td class=\"actions\">");
                if (view.State != SessionView.Revoked)
                {
                    sb.Append(ActionForm(session, "session", user, r.Sid, "Revoke", $"Revoke session {r.Sid}?", "revoke-session-" + r.Sid)).Append(' ')
                      .Append(ActionForm(session, "all_but", user, r.Sid, "Revoke all but this", $"Revoke every other session of {user.Subject}?", "revoke-others-" + r.Sid));
                }

                sb.Append("</td></tr>");
            }

            sb.Append("</tbody></table>");
        }

        return sb.Append("</section>").ToString();
    }

    /// <summary>The inspect screen; the pasted token is never echoed back (its signature is not shown anywhere).</summary>
    public static string Inspect(ConsoleSession session, bool inspected, TokenParts? parts, Introspection? decision)
    {
        var sb = new StringBuilder();
        sb.Append("<section class=\"card\"><h2>Inspect a token</h2><p class=\"muted\">The header and claims are decoded for reading; the signature is verified but never shown. Nothing is stored.</p>")
          .Append("<form method=\"post\" action=\"").Append(Base).Append("/inspect\">").Append(Csrf(session))
          .Append("<label for=\"token\">Token</label><textarea id=\"token\" name=\"token\" spellcheck=\"false\" required data-autofocus></textarea>")
          .Append("<p><button type=\"submit\" id=\"inspect\">Inspect</button></p></form></section>");
        if (!inspected)
        {
            return sb.ToString();
        }

        sb.Append("<section class=\"card\" id=\"decision\"><h3>The gateway's decision now</h3>");
        if (decision is not null)
        {
            var refusal = decision.Refusal;
            sb.Append("<p><span class=\"state ").Append(decision.Active ? "active" : "refused").Append("\" id=\"verdict\">").Append(decision.Active ? "live" : "refused").Append("</span> ");
            if (refusal is not null)
            {
                sb.Append("reason <code id=\"reason\">").Append(E(refusal.Code)).Append("</code>: ").Append(E(refusal.Title));
            }
            else
            {
                sb.Append("<span class=\"muted\">on a route without per-route rules</span>");
            }

            sb.Append("</p>");
            if (decision.Token is { } verified)
            {
                var user = verified.User;
                sb.Append("<p>");
                sb.Append("<a href=\"").Append(Base).Append("/user?sub=").Append(Uri.EscapeDataString(user.Subject)).Append("&amp;iss=").Append(Uri.EscapeDataString(user.Issuer))
                  .Append("\" id=\"open-user\">Open user</a> ");
                if (verified.TokenId is not null && decision.Active)
                {
                    sb.Append($"<form class=\"inline\" method=\"post\" action=\"{Base}/revoke\" data-confirm=\"Revoke this token?\">{Csrf(session)}{Hidden("action", "token")}" +
                        $"{Hidden("sub", user.Subject)}{Hidden("iss", user.Issuer)}{Hidden("jti", verified.TokenId)}{Hidden("exp", N(verified.ExpiresAt))}" +
                        "<button type=\"submit\" class=\"danger\" id=\"revoke-token\">Revoke this token</button></form> ");
                }

                if (verified.SessionId is not null && decision.Active)
                {
                    sb.Append(ActionForm(session, "session", user, verified.SessionId, "Revoke its session", $"Revoke session {verified.SessionId}?", "revoke-token-session"));
                }

                sb.Append("</p>");
            }
        }

        sb.Append("</section>");
        if (parts is null)
        {
            sb.Append("<section class=\"card\"><p class=\"muted\" id=\"undecodable\">Not a compact JWS (three base64url parts with JSON header and claims): nothing to decode.</p></section>");
        }
        else
        {
            sb.Append("<div class=\"grid2\"><section class=\"card\"><h3>Header</h3><pre id=\"header\">").Append(E(parts.Header)).Append("</pre></section>")
              .Append("<section class=\"card\"><h3>Claims</h3><pre id=\"claims\">").Append(E(parts.Claims)).Append("</pre></section></div>");
        }

        return sb.ToString();
    }

    public static string RefusalsPage(IReadOnlyList<RefusalCount> counts)
    {
        var sb = new StringBuilder("<section class=\"card\"><h2>Refusals, last ").Append(N(RefusalHistory.Minutes)).Append(" minutes</h2><p class=\"muted\">This instance only; per minute, by route and reason. The Prometheus metric <code>gateway_requests_total</code> has every instance.</p>");
        var byReason = counts.GroupBy(c => c.Reason).Select(g => (Reason: g.Key, Count: g.Sum(c => c.Count))).OrderByDescending(g => g.Count).ToList();
        if (byReason.Count == 0)
        {
            return sb.Append("<p id=\"no-refusals\">No refusals.</p></section>").ToString();
        }

        sb.Append("<h3>By reason</h3><table id=\"by-reason\"><thead><tr><th>Reason</th><th>Meaning</th><th>Count</th></tr></thead><tbody>");
        foreach (var (reason, count) in byReason)
        {
            sb.Append("<tr><td><code>").Append(E(reason)).Append("</code></td><td>").Append(E(Reasons.Find(reason)?.Title ?? "")).Append("</td><td class=\"num\">").Append(N(count)).Append("</td></tr>");
        }

        sb.Append("</tbody></table><h3>Per minute</h3><table id=\"per-minute\"><thead><tr><th>Minute</th><th>Route</th><th>Reason</th><th>Count</th></tr></thead><tbody>");
        foreach (var c in counts)
        {
            sb.Append("<tr><td>").Append(E(Time(c.Minute))).Append("</td><td><code>").Append(E(c.Route)).Append("</code></td><td><code>").Append(E(c.Reason))
              .Append("</code></td><td class=\"num\">").Append(N(c.Count)).Append("</td></tr>");
        }

        return sb.Append("</tbody></table></section>").ToString();
    }

    public static string HealthPage(HealthReport report, string storeKind)
    {
        var sb = new StringBuilder("<section class=\"card\"><h2>Health</h2><p>Readiness: <span class=\"state ")
            .Append(E(report.Status.ToString().ToLowerInvariant())).Append("\" id=\"readiness\">").Append(E(report.Status.ToString())).Append("</span> ")
            .Append("<span class=\"muted\">session store: ").Append(E(storeKind)).Append("; the same checks as <code>/readyz</code></span></p>")
            .Append("<table id=\"checks\"><thead><tr><th>Check</th><th>Status</th><th>Detail</th><th>Took</th></tr></thead><tbody>");
        foreach (var (name, entry) in report.Entries)
        {
            sb.Append("<tr><td><code>").Append(E(name)).Append("</code></td><td><span class=\"state ").Append(E(entry.Status.ToString().ToLowerInvariant())).Append("\">")
              .Append(E(entry.Status.ToString())).Append("</span></td><td>").Append(E(entry.Description ?? entry.Exception?.GetType().Name ?? "")).Append("</td><td class=\"num\">")
              .Append(E(entry.Duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture))).Append(" ms</td></tr>");
        }

        return sb.Append("</tbody></table></section>").ToString();
    }

    public static string AuditPage(IReadOnlyList<AuditEntry> entries)
    {
        var sb = new StringBuilder("<section class=\"card\"><h2>Audit trail</h2><p class=\"muted\">The last admin actions on this instance (JSON API and console), newest first; the log holds the same lines with pseudonyms.</p>");
        if (entries.Count == 0)
        {
            return sb.Append("<p>No admin action yet.</p></section>").ToString();
        }

        sb.Append("<table id=\"audit\"><thead><tr><th>When</th><th>Key</th><th>Action</th><th>Issuer</th><th>Subject</th><th>Session</th><th>Token</th><th>Outcome</th></tr></thead><tbody>");
        foreach (var e in entries)
        {
            sb.Append("<tr><td>").Append(E(Time(e.At))).Append("</td><td>").Append(E(e.KeyId)).Append("</td><td><code>").Append(E(e.Action)).Append("</code></td><td>")
              .Append(E(e.Issuer ?? "-")).Append("</td><td>").Append(E(e.Sub ?? "-")).Append("</td><td>").Append(E(e.Sid ?? "-")).Append("</td><td>").Append(E(e.Jti ?? "-"))
              .Append("</td><td>").Append(E(e.Outcome)).Append("</td></tr>");
        }

        return sb.Append("</tbody></table></section>").ToString();
    }
}
