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

    /// <summary>
    /// The secret the app issued next, while the two overlap: a token call the app refuses as <c>invalid_client</c>
    /// with one is tried once with the other, so rotating the client's secret at the app never breaks refreshes.
    /// </summary>
    public string? NextClientSecret { get; set; }

    /// <summary>When the app stops accepting <see cref="ClientSecret"/> (<see cref="ClientSecretExpiry.Rule"/>); the service warns 30 and 7 days ahead.</summary>
    public string? ClientSecretExpiresAt { get; set; }

    public string? NextClientSecretExpiresAt { get; set; }

    /// <summary><see cref="ClientSecretExpiresAt"/> read; the validator has refused a malformed one before anything asks.</summary>
    public DateTimeOffset? SecretExpiresAt => Expiry(ClientSecretExpiresAt);

    public DateTimeOffset? NextSecretExpiresAt => Expiry(NextClientSecretExpiresAt);

    private static DateTimeOffset? Expiry(string? text) => ClientSecretExpiry.TryParse(text, out var at) ? at : null;

    public override string ToString() => $"ClientId={ClientId}, ClientSecret=***{(NextClientSecret is null ? "" : ", NextClientSecret=***")}";
}

public sealed class OAuthClientsOptionsValidator : IValidateOptions<OAuthClientsOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthClientsOptions options)
    {
        var failures = new List<string>();
        foreach (var (slug, client) in options)
        {
            if (!AppSlug.IsValid(slug))
                failures.Add($"{OAuthClientsOptions.Section}:{slug} is not an app slug.");
            else if (string.IsNullOrWhiteSpace(client.ClientId) || client.ClientId.Length > OAuthClientRegistration.MaxClientIdLength)
                failures.Add($"{OAuthClientsOptions.Section}:{slug}:ClientId is required (at most {OAuthClientRegistration.MaxClientIdLength} characters).");
            if (client.ClientSecret is { Length: > OAuthClientRegistration.MaxClientSecretLength })
                failures.Add($"{OAuthClientsOptions.Section}:{slug}:ClientSecret is longer than {OAuthClientRegistration.MaxClientSecretLength} characters.");
            if (client.NextClientSecret is { Length: > OAuthClientRegistration.MaxClientSecretLength })
                failures.Add($"{OAuthClientsOptions.Section}:{slug}:NextClientSecret is longer than {OAuthClientRegistration.MaxClientSecretLength} characters.");
            CheckExpiry(failures, slug, nameof(OAuthClientCredentials.ClientSecretExpiresAt), client.ClientSecretExpiresAt, client.ClientSecret, nameof(OAuthClientCredentials.ClientSecret));
            CheckExpiry(failures, slug, nameof(OAuthClientCredentials.NextClientSecretExpiresAt), client.NextClientSecretExpiresAt, client.NextClientSecret, nameof(OAuthClientCredentials.NextClientSecret));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The value is a date, not a secret, so the message may repeat it.
    private static void CheckExpiry(List<string> failures, string slug, string key, string? value, string? secret, string secretKey)
    {
        if (value is null) return;
        if (!ClientSecretExpiry.TryParse(value, out _))
            failures.Add($"{OAuthClientsOptions.Section}:{slug}:{key} '{value}' {ClientSecretExpiry.Rule}.");
        else if (string.IsNullOrEmpty(secret))
            failures.Add($"{OAuthClientsOptions.Section}:{slug}:{key} is set, but {secretKey} is not: there is no secret to expire.");
    }
}
