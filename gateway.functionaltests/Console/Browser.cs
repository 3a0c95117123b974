using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Gateway.FunctionalTests.Console;

/// <summary>
/// Headless Chromium through the system chromedriver (no Selenium Manager download), with the browser log kept so a
/// test can assert that no CSP violation or script error happened. Screenshots go to <see cref="ArtifactsDirectory"/>.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    private readonly ChromeDriverService _service;

    public Browser()
    {
        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        _service.HideCommandPromptWindow = true;
        _service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
            "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-component-update");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        Driver = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
        Driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
    }

    public ChromeDriver Driver { get; }

    public static string ArtifactsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts");

    /// <summary>Null when both are installed; else which one is missing.</summary>
    public static string? Missing() =>
        !File.Exists(ChromiumPath) ? ChromiumPath : !File.Exists(DriverPath) ? DriverPath : null;

    public string Screenshot(string name)
    {
        Directory.CreateDirectory(ArtifactsDirectory);
        var path = Path.Combine(ArtifactsDirectory, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>Every browser-log entry so far (console messages, CSP violations, failed loads).</summary>
    public IReadOnlyList<LogEntry> Log() => Driver.Manage().Logs.GetLog(LogType.Browser);

    public IWebElement Find(string id) => Driver.FindElement(By.Id(id));

    /// <summary>Waits for a condition to hold (pages are server-rendered, so this is rarely more than one poll).</summary>
    public void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (WebDriverException)
            {
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException("Timed out waiting for " + what);
    }

    /// <summary>Clicks a button that asks for confirmation (console.js) and accepts the dialog.</summary>
    public void ClickAndConfirm(string id)
    {
        Find(id).Click();
        IAlert? alert = null;
        WaitFor(() => (alert = Driver.SwitchTo().Alert()) is not null, "the confirmation dialog");
        alert!.Accept();
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        _service.Dispose();
    }
}
