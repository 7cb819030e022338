using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Host.Api;

/// <summary><c>Accounts:Api</c>: limits of the public HTTP surface.</summary>
public sealed class ApiOptions
{
    public const string Section = "Accounts:Api";

    /// <summary>App-request submissions allowed per client address per minute.</summary>
    public int AppRequestsPerMinute { get; set; } = 30;
}

internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
        => options.AppRequestsPerMinute is < 1 or > 1_000_000
            ? ValidateOptionsResult.Fail($"{ApiOptions.Section}:{nameof(ApiOptions.AppRequestsPerMinute)} must be between 1 and 1000000 (it is {options.AppRequestsPerMinute}).")
            : ValidateOptionsResult.Success;
}
