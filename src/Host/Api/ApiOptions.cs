using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Host.Api;

/// <summary><c>Accounts:Api</c>: limits of the public HTTP surface.</summary>
public sealed class ApiOptions
{
    public const string Section = "Accounts:Api";

    /// <summary>App-request submissions allowed per client address per minute.</summary>
    public int AppRequestsPerMinute { get; set; } = 30;

    /// <summary>
    /// Requests of the browser pages (<c>/oauth/callback</c>, <c>/connect</c>) allowed per client address per minute:
    /// a person needs a handful; a flood of made-up callbacks or links gets 429 before it costs anything.
    /// </summary>
    public int BrowserRequestsPerMinute { get; set; } = 300;

    /// <summary>Calls of <c>/v1</c> allowed per API key per minute, in bursts of up to a minute's worth.</summary>
    public int RequestsPerMinutePerKey { get; set; } = 6000;
}

internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var failures = new List<string>();
        void PerMinute(string key, int value)
        {
            if (value is < 1 or > 1_000_000) failures.Add($"{ApiOptions.Section}:{key} must be between 1 and 1000000 (it is {value}).");
        }
        PerMinute(nameof(options.AppRequestsPerMinute), options.AppRequestsPerMinute);
        PerMinute(nameof(options.RequestsPerMinutePerKey), options.RequestsPerMinutePerKey);
        PerMinute(nameof(options.BrowserRequestsPerMinute), options.BrowserRequestsPerMinute);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
