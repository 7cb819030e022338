using Accounts.Orleans.Contracts.Validation;
using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Tui.Shell;

/// <summary>Turns what the cluster threw into a sentence an operator can act on; never a stack trace.</summary>
public static class ErrorText
{
    /// <summary>Errors the console expects: typed service errors and an unreachable or slow cluster.</summary>
    public static bool IsExpected(Exception e) =>
        e is AccountException or CatalogException or WebhookException or OrleansException or TimeoutException or OperationCanceledException or InvalidDataException;

    public static string Describe(Exception e) => e switch
    {
        IFieldErrors v => string.Join('\n', v.Errors.SelectMany(f => f.Value.Select(m => $"{FieldName(f.Key)}: {m}"))),
        AccountException or CatalogException or WebhookException => e.Message,
        TimeoutException => "The cluster did not answer in time; it may be overloaded or restarting.",
        OperationCanceledException => "Cancelled.",
        OrleansException => $"The cluster cannot be reached: {FirstLine(e.Message)}",
        _ => FirstLine(e.Message),
    };

    private static string FieldName(string key) => key.StartsWith("fields.", StringComparison.Ordinal) ? key["fields.".Length..] : key;

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
