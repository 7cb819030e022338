using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// <c>Accounts:OAuthClients:&lt;slug&gt;</c>: the OAuth client this deployment registered at each app. The secret
/// stays in this process; the API only ever says whether a client is configured.
/// </summary>
public sealed class OAuthClientsOptions : Dictionary<string, OAuthClientCredentials>
{
    public const string Section = "Accounts:OAuthClients";

    public OAuthClientsOptions() : base(StringComparer.Ordinal) { }

    public bool IsConfigured(string slug) => TryGetValue(slug, out var client) && !string.IsNullOrWhiteSpace(client.ClientId);
}

public sealed class OAuthClientCredentials
{
    public string ClientId { get; set; } = "";

    public string? ClientSecret { get; set; }

    public override string ToString() => $"ClientId={ClientId}, ClientSecret=***";
}

public sealed class OAuthClientsOptionsValidator : IValidateOptions<OAuthClientsOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthClientsOptions options)
    {
        var failures = new List<string>();
        foreach (var (slug, client) in options)
        {
            if (!IsSlug(slug))
                failures.Add($"{OAuthClientsOptions.Section}:{slug} is not an app slug.");
            else if (string.IsNullOrWhiteSpace(client.ClientId) || client.ClientId.Length > 512)
                failures.Add($"{OAuthClientsOptions.Section}:{slug}:ClientId is required (at most 512 characters).");
            if (client.ClientSecret is { Length: > 4096 })
                failures.Add($"{OAuthClientsOptions.Section}:{slug}:ClientSecret is longer than 4096 characters.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsSlug(string slug)
        => slug.Length is >= 2 and <= 64 && char.IsAsciiLetterLower(slug[0]) && slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
