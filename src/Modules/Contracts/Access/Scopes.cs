namespace Accounts.Orleans.Contracts.Access;

/// <summary>What an API key may do. <see cref="Admin"/> includes every other scope.</summary>
public static class Scopes
{
    /// <summary>List and read accounts, their audit and links.</summary>
    public const string AccountsRead = "accounts:read";

    /// <summary>Connect, reconnect, rename, delete, link and unlink accounts; refresh their tokens.</summary>
    public const string AccountsWrite = "accounts:write";

    /// <summary>Read an account's tokens or keys for a linked workflow step.</summary>
    public const string CredentialsRead = "credentials:read";

    /// <summary>Call an app's API through the service with an account's credentials, which the caller never sees.</summary>
    public const string Proxy = "proxy";

    /// <summary>Manage the workspace's webhook endpoints, see their deliveries and redeliver them.</summary>
    public const string Webhooks = "webhooks";

    /// <summary>Add, change, disable and import catalog apps; triage app requests.</summary>
    public const string CatalogWrite = "catalog:write";

    /// <summary>OAuth clients, maintenance, API keys; and everything above.</summary>
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [AccountsRead, AccountsWrite, CredentialsRead, Proxy, Webhooks, CatalogWrite, Admin];
}
