using Accounts.Orleans.Contracts.Validation;

namespace Accounts.Orleans.Contracts.Webhooks;

/// <summary>A webhook error the caller can act on; never holds a secret.</summary>
[GenerateSerializer, Alias("webhooks.error")]
public abstract class WebhookException : Exception
{
    protected WebhookException(string message) : base(message) { }
}

[GenerateSerializer, Alias("webhooks.error.endpoint-not-found")]
public sealed class WebhookEndpointNotFoundException(string endpointId) : WebhookException($"No webhook endpoint '{endpointId}'.")
{
    [Id(0)] public string EndpointId { get; } = endpointId;
}

[GenerateSerializer, Alias("webhooks.error.delivery-not-found")]
public sealed class WebhookDeliveryNotFoundException(string deliveryId) : WebhookException($"No webhook delivery '{deliveryId}'.")
{
    [Id(0)] public string DeliveryId { get; } = deliveryId;
}

[GenerateSerializer, Alias("webhooks.error.limit")]
public sealed class WebhookLimitReachedException(int limit) : WebhookException($"A workspace holds at most {limit} webhook endpoints.")
{
    [Id(0)] public int Limit { get; } = limit;
}

/// <summary>Input that breaks a rule: messages per field name.</summary>
[GenerateSerializer, Alias("webhooks.error.validation")]
public sealed class WebhookValidationException : WebhookException, IFieldErrors
{
    public WebhookValidationException(IReadOnlyDictionary<string, string[]> errors) : base(FieldErrors.Summary(errors)) => Errors = errors;

    public WebhookValidationException(string field, string message) : this(new Dictionary<string, string[]> { [field] = [message] }) { }

    [Id(0)] public IReadOnlyDictionary<string, string[]> Errors { get; }
}
