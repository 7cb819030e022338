using System.Text;
using StandardWebhooks;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>What one attempt came to: the endpoint's status when it answered, and a reason in the service's words when it failed.</summary>
public readonly record struct AttemptResult(bool Delivered, int? Status, string? Error, TimeSpan? RetryAfter);

/// <summary>
/// Sends one delivery, signed by the Standard Webhooks scheme: <c>webhook-id</c> (the event's id, the same on every
/// attempt), <c>webhook-timestamp</c> (this attempt's, in seconds) and <c>webhook-signature</c>, an HMAC-SHA256 of
/// <c>id.timestamp.body</c> under each of the endpoint's live secrets. Redirects are not followed and the answer's
/// body is not read: a receiver's reply is nobody's business but its own.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory http, IOptions<ConnectionsOptions> options)
{
    public const string HttpClientName = "accounts-webhooks";

    public async Task<AttemptResult> SendAsync(string url, string eventId, string payload, IReadOnlyList<string> secrets, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        var signatures = string.Join(' ', secrets.Select(s => new StandardWebhook(s).Sign(eventId, sentAt, payload)));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("webhook-id", eventId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", signatures);
        request.Headers.UserAgent.ParseAdd("Accounts.Orleans-Webhooks/1");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return new(true, status, null, null);
            var retryAfter = response.Headers.RetryAfter is { } after ? after.Delta ?? (after.Date - sentAt) : null;
            return new(false, status, $"HTTP {status}", retryAfter > TimeSpan.Zero ? retryAfter : null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e.InnerException is Outbound.BlockedAddressException blocked ? blocked.Message
                : e is OperationCanceledException ? $"no answer within {options.Value.WebhookTimeout.TotalSeconds:0} s"
                : "could not connect";
            return new(false, null, reason, null);
        }
    }
}
