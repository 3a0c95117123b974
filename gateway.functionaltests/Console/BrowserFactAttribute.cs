namespace Gateway.FunctionalTests.Console;

/// <summary>
/// A browser test: skipped, with a message saying what to install, only when chromium or chromedriver is absent
/// (<c>.ci/run</c> installs both, so in CI these tests run).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.Missing() is { } missing)
        {
            Skip = $"{missing} is not installed: install the Debian packages chromium and chromium-driver (.ci/run does) to run the console's browser tests";
        }
    }
}
