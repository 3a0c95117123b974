namespace Gateway.OperatorConsole;

/// <summary>
/// The console's only script, stylesheet and icon, served by the gateway itself (the CSP allows 'self' and nothing
/// else: no inline script or style, no external resource).
/// </summary>
internal static class ConsoleAssets
{
    public const string ScriptPath = "/console/console.js";
    public const string StylePath = "/console/console.css";
    public const string IconPath = "/console/favicon.svg";

    // Asks before a revocation; nothing else runs in the page.
    public const string Script = """
        'use strict';
        document.addEventListener('DOMContentLoaded', function () {
          document.querySelectorAll('form[data-confirm]').forEach(function (form) {
            form.addEventListener('submit', function (event) {
              if (!window.confirm(form.getAttribute('data-confirm'))) {
                event.preventDefault();
              }
            });
          });
          var first = document.querySelector('[data-autofocus]');
          if (first) { first.focus(); }
        });
        """;

    public const string Style = """
        :root { color-scheme: light; --ink: #1d2430; --muted: #5b6678; --line: #d8dde6; --accent: #1f5fbf; --bad: #b3261e; --ok: #1e7a3c; --warn: #8a5a00; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f5f7fa; }
        header { background: #17202e; color: #fff; padding: 10px 24px; display: flex; align-items: center; gap: 24px; flex-wrap: wrap; }
        header h1 { font-size: 17px; margin: 0; font-weight: 600; }
        header nav { display: flex; gap: 16px; flex: 1; }
        header a { color: #cfe0ff; text-decoration: none; }
        header a.current { color: #fff; font-weight: 600; border-bottom: 2px solid #7fb0ff; }
        header form { margin: 0; }
        header .who { color: #9fb0c8; font-size: 13px; }
        main { padding: 20px 24px; max-width: 1320px; }
        h2 { font-size: 20px; margin: 4px 0 14px; }
        h3 { font-size: 16px; margin: 22px 0 8px; }
        section.card > h2:first-child, section.card > h3:first-child { margin-top: 0; }
        td.time, td.actions { white-space: nowrap; }
        section.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin-bottom: 16px; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; font-size: 14px; }
        th { color: var(--muted); font-weight: 600; background: #fafbfc; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
        pre { background: #f0f3f7; border: 1px solid var(--line); padding: 10px; overflow: auto; margin: 0; }
        form.inline { display: inline; margin: 0; }
        label { display: block; font-weight: 600; margin: 8px 0 4px; }
        input[type=text], input[type=password], select, textarea { font: inherit; padding: 6px 8px; border: 1px solid #b9c2cf; border-radius: 4px; width: 100%; max-width: 520px; }
        textarea { max-width: 100%; min-height: 110px; font-family: ui-monospace, monospace; font-size: 13px; }
        button { font: inherit; padding: 5px 12px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
        button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
        button.quiet { background: transparent; color: #cfe0ff; border-color: #51607a; }
        .row { display: flex; gap: 12px; align-items: flex-end; flex-wrap: wrap; }
        .row > div { flex: 0 1 auto; }
        .state { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
        .state.live, .state.healthy, .state.active { background: #e3f4e8; color: var(--ok); }
        .state.revoked, .state.unhealthy, .state.refused { background: #fbe4e2; color: var(--bad); }
        .state.not_active, .state.degraded { background: #fff1d6; color: var(--warn); }
        .flash { padding: 10px 14px; border-radius: 4px; margin-bottom: 14px; background: #e7f0ff; border: 1px solid #b8cff5; }
        .flash.error { background: #fbe4e2; border-color: #efb5b0; }
        .muted { color: var(--muted); }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; }
        .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
        .signin { max-width: 420px; margin: 60px auto; }
        """;

    public const string Icon = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#17202e"/><path d="M4 8h8M8 4v8" stroke="#7fb0ff" stroke-width="2"/></svg>""";
}
