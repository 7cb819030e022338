namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>Endpoints the service calls with credentials: https only, plain http only to loopback when allowed (tests).</summary>
public static class SafeUrl
{
    public static bool IsAllowed(string value, bool allowLoopbackHttp)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo) || uri.Host.Length == 0)
            return false;
        return uri.Scheme == Uri.UriSchemeHttps || (allowLoopbackHttp && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);
    }
}
