namespace Accounts.Orleans.Contracts.Access;

/// <summary>How an Orleans client presents its API key: on every call, in the request context, where the silo's edge looks.</summary>
public static class ApiKeyContext
{
    public const string Key = "accounts.api-key";

    /// <summary>The prefix every key of this service starts with, so a leaked one is recognised by scanners and people.</summary>
    public const string Prefix = "aok_";

    /// <summary>The audit trail's subject for a key, by the name an operator knows it by: its creation, revoke and calls.</summary>
    public static string AuditSubject(string name) => "apikey:" + name;
}
