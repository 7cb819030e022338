using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit;

namespace Accounts.Orleans.Testing;

/// <summary>
/// A real headless Chromium driven over WebDriver: Debian's <c>chromium</c> and <c>chromium-driver</c>. When they are
/// missing the fixture installs them with apt-get (the test command needs no set-up of its own), and fails with the
/// reason when it cannot: a page test never passes without a browser.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string BrowserPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    private ChromeDriverService? _service;

    public ChromeDriver Driver { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(BrowserPath) || !File.Exists(DriverPath)) await InstallAsync();
        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        _service.SuppressInitialDiagnosticInformation = true;
        _service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        // --no-sandbox: the tests run as root on CI, where Chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US");
        Driver = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Types <paramref name="text"/> and Enter into <paramref name="element"/> (a link, a button, a field of a form), as
    /// a keyboard user does, and waits until the page it leads to has loaded: a key press does not wait for the
    /// navigation it starts, and reading the page too early finds the old one, or none.
    /// </summary>
    public void Press(IWebElement element, string text = "")
    {
        // A new document starts with fresh globals, so the mark is gone exactly when the navigation happened. (Watching
        // the old page's elements go stale instead races Chromium, which may report them as merely unknown.)
        Driver.ExecuteScript("window.__beforePress = true");
        element.SendKeys(text + Keys.Enter);
        var wait = new WebDriverWait(Driver, TimeSpan.FromSeconds(30));
        // Mid-navigation a script may find no document to run in; the next poll asks again.
        wait.IgnoreExceptionTypes(typeof(WebDriverException));
        wait.Until(driver => Equals(((IJavaScriptExecutor)driver).ExecuteScript("return window.__beforePress !== true && document.readyState === 'complete'"), true));
    }

    /// <summary>Resizes the window so the page's viewport is <paramref name="width"/> CSS pixels wide.</summary>
    public void Width(int width, int height = 900) => Driver.Manage().Window.Size = new System.Drawing.Size(width, height);

    public ValueTask DisposeAsync()
    {
        Driver?.Quit();
        Driver?.Dispose();
        _service?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task InstallAsync()
    {
        var root = Environment.UserName == "root";
        var (command, prefix) = root ? ("apt-get", "") : ("sudo", "-n apt-get ");
        foreach (var arguments in new[] { "update -qq", "install -y -qq chromium chromium-driver" })
        {
            var start = new ProcessStartInfo(command, prefix + arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {command}.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"Installing Chromium for the page tests failed ({command} {prefix}{arguments} exited {process.ExitCode}): {error}{await output}");
        }
        if (!File.Exists(BrowserPath) || !File.Exists(DriverPath))
            throw new InvalidOperationException($"apt-get installed chromium and chromium-driver, yet {BrowserPath} or {DriverPath} is missing.");
    }
}
