using System.Text;
using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Connections.Keys;

/// <summary>
/// Proves key values work by sending the app's test request. Redirects are not followed, answers are read only as
/// far as a short message, and nothing the user typed appears in what it reports.
/// </summary>
public sealed class KeyVerifier(IHttpClientFactory http, IOptions<ConnectionsOptions> options)
{
    public const string HttpClientName = "accounts-outbound";
    private const int MaxAnswerBytes = 4096;

    /// <exception cref="KeyVerificationFailedException">The app refused the keys or could not be reached.</exception>
    public async Task VerifyAsync(AppDefinition app, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        if (app.TestRequest is not { } test) return;
        var url = TestRequestTemplate.Fill(test.Url, values, Uri.EscapeDataString);
        if (!SafeUrl.IsAllowed(url, options.Value.AllowLoopbackHttp))
            throw new KeyVerificationFailedException(app.Slug, "the values do not form a valid https address for this app");

        using var request = new HttpRequestMessage(new HttpMethod(test.Method), url);
        request.Options.Set(Contracts.Telemetry.TelemetryNames.Credentialed, true);
        foreach (var (name, template) in test.Headers)
            request.Headers.TryAddWithoutValidation(name, TestRequestTemplate.Fill(template, values));
        if (test.Body is { } body)
            request.Content = new StringContent(TestRequestTemplate.Fill(body, values), Encoding.UTF8, BodyType(body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.OutboundTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new KeyVerificationFailedException(app.Slug,
                e.InnerException is Outbound.BlockedAddressException blocked ? blocked.Message
                : e is OperationCanceledException ? "the app did not answer in time" : "the app could not be reached");
        }
        using (response)
        {
            if (test.SuccessStatuses.Contains((int)response.StatusCode)) return;
            var refused = response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden;
            // Where the person chose the host, the answer may be any server's that the service can reach: saying more
            // than the status class would make the connect form a way to read them.
            if (TakesHostFromValues(test.Url)) throw new KeyVerificationFailedException(app.Slug, $"HTTP {(int)response.StatusCode / 100}xx", refused);
            var answer = await ReadShortAnswerAsync(response, timeout.Token);
            throw new KeyVerificationFailedException(app.Slug, Describe(response, answer, values, request.Headers.SelectMany(h => h.Value)), refused);
        }
    }

    /// <summary>Whether a value fills the scheme, host or port of <paramref name="template"/> (a self-hosted server's address).</summary>
    internal static bool TakesHostFromValues(string template)
    {
        var start = template.IndexOf("://", StringComparison.Ordinal);
        var authorityStart = start < 0 ? 0 : start + 3;
        var end = template.IndexOfAny(['/', '?', '#'], authorityStart);
        return template.AsSpan(0, end < 0 ? template.Length : end).Contains("{{", StringComparison.Ordinal);
    }

    private static string BodyType(string body) => body.TrimStart().StartsWith('{') ? "application/json" : "application/x-www-form-urlencoded";

    private static async Task<string> ReadShortAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxAnswerBytes];
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return "";
        }
    }

    /// <summary>
    /// "HTTP 401: Invalid API key" — printable, short, and scrubbed of every value the user submitted and every header
    /// value sent, as written, URL-encoded or in base64 (a Basic credential of any two of them included).
    /// </summary>
    internal static string Describe(HttpResponseMessage response, string answer, IReadOnlyDictionary<string, string> values, IEnumerable<string>? sentHeaders = null)
    {
        var status = $"HTTP {(int)response.StatusCode}";
        var media = response.Content.Headers.ContentType?.MediaType;
        if (media is not ("application/json" or "text/plain" or "application/problem+json") || string.IsNullOrWhiteSpace(answer)) return status;
        var text = new string([.. answer.Where(PrintableText.IsPrintableAscii)]);
        foreach (var sent in SentForms(values.Values, sentHeaders ?? []).OrderByDescending(f => f.Length))
            text = text.Replace(sent, "***", StringComparison.Ordinal);
        return text.Length == 0 ? status : $"{status}: {(text.Length <= 200 ? text : text[..200] + "…")}";
    }

    /// <summary>Every form in which something the service sent could come back in an answer.</summary>
    private static HashSet<string> SentForms(IEnumerable<string> values, IEnumerable<string> headers)
    {
        var plain = values.Concat(headers).Concat(headers.Select(h => h.Split(' ', 2) is [_, var credential] ? credential : h))
            .Where(v => v.Length >= 4).Distinct(StringComparer.Ordinal).ToList();
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in plain)
        {
            forms.Add(value);
            forms.Add(Uri.EscapeDataString(value));
            forms.Add(System.Net.WebUtility.UrlEncode(value));
            forms.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
            forms.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)).TrimEnd('='));
        }
        foreach (var user in values)
        {
            foreach (var password in values)
                forms.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        return forms;
    }
}
