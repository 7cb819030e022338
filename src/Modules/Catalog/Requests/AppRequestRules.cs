using Accounts.Orleans.Contracts.Text;
using System.Globalization;
using System.Text;

namespace Accounts.Orleans.Catalog.Requests;

/// <summary>What a valid app request looks like, and when two requests (or a request and an app) mean the same app.</summary>
public static class AppRequestRules
{
    public const int MaxNameLength = 100;
    public const int MaxUrlLength = 2048;
    public const int MaxReasonLength = 1000;
    public const int MaxRequesterLength = 200;
    public const int MaxNoteLength = 1000;

    public static IReadOnlyDictionary<string, string[]> Validate(AppRequestSubmission submission)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = submission.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors["name"] = ["is required"];
        else if (name.Length > MaxNameLength) errors["name"] = [$"must be at most {MaxNameLength} characters"];
        else if (PrintableText.HasHiddenCharacters(name, allowLineBreaks: false)) errors["name"] = ["must not contain control characters"];
        else if (NormalizeName(name).Length == 0) errors["name"] = ["must contain a letter or a digit"];

        var url = submission.Url?.Trim();
        if (!string.IsNullOrEmpty(url))
        {
            if (url.Length > MaxUrlLength) errors["url"] = [$"must be at most {MaxUrlLength} characters"];
            else if (WebDomain(url) is null) errors["url"] = ["must be an absolute http or https URL"];
        }

        var reason = submission.Reason;
        if (reason is { Length: > MaxReasonLength }) errors["reason"] = [$"must be at most {MaxReasonLength} characters"];
        else if (reason is not null && PrintableText.HasHiddenCharacters(reason, allowLineBreaks: true)) errors["reason"] = ["must not contain control characters"];

        var requester = submission.RequestedBy?.Trim();
        if (string.IsNullOrEmpty(requester)) errors["requestedBy"] = ["is required"];
        else if (requester.Length > MaxRequesterLength) errors["requestedBy"] = [$"must be at most {MaxRequesterLength} characters"];
        else if (PrintableText.HasHiddenCharacters(requester, allowLineBreaks: false)) errors["requestedBy"] = ["must not contain control characters"];
        return errors;
    }

    /// <summary>"Google Sheets", "google-sheets" and the slug "google_sheets" all become "googlesheets".</summary>
    public static string NormalizeName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c)) builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    /// <summary>The host a URL points at, without <c>www.</c>; null when it is not an absolute web URL.</summary>
    public static string? WebDomain(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        var candidate = url.Contains("://", StringComparison.Ordinal) ? url.Trim() : "https://" + url.Trim();
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return null;
        if (!string.IsNullOrEmpty(uri.UserInfo) || uri.HostNameType != UriHostNameType.Dns || !uri.Host.Contains('.', StringComparison.Ordinal)) return null;
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        return host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
    }

    /// <summary>The requester as a voter identity: people type their e-mail in different cases.</summary>
    public static string NormalizeRequester(string requestedBy) => requestedBy.Trim().ToLowerInvariant();

    public static bool CanMove(AppRequestStatus from, AppRequestStatus to) => (from, to) switch
    {
        (AppRequestStatus.Open, AppRequestStatus.Planned or AppRequestStatus.Shipped or AppRequestStatus.Declined) => true,
        (AppRequestStatus.Planned, AppRequestStatus.Open or AppRequestStatus.Shipped or AppRequestStatus.Declined) => true,
        // A declined request can be reconsidered; a shipped one is done.
        (AppRequestStatus.Declined, AppRequestStatus.Open) => true,
        _ => false,
    };
}
