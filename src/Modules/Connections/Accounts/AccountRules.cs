using System.Globalization;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>The shapes of names and ids callers hand the service.</summary>
public static class AccountRules
{
    public const int MaxNicknameLength = 100;
    public const int MaxIdentifierLength = 200;
    public const string IdentifierRule = "must be 1-200 printable characters";

    /// <exception cref="AccountValidationException">The nickname is empty, too long or has control characters.</exception>
    public static string Nickname(string? nickname)
    {
        var trimmed = nickname?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNicknameLength || PrintableText.HasHiddenCharacters(trimmed))
            throw new AccountValidationException(new Dictionary<string, string[]> { ["nickname"] = [$"must be 1-{MaxNicknameLength} printable characters"] });
        return trimmed;
    }

    /// <summary>
    /// The actor as recorded in the audit trail: the API key that acted (see <see cref="Principal.Actor"/>). The actor a
    /// request names is checked all the same, so malformed input is refused whoever sends it.
    /// </summary>
    /// <exception cref="AccountValidationException">The actor is empty, too long or has control characters.</exception>
    public static string Actor(string? requested)
        => IsIdentifier(requested) ? Principal.Actor(requested!.Trim())! : throw new AccountValidationException(new Dictionary<string, string[]> { ["actor"] = [IdentifierRule] });

    /// <exception cref="AccountValidationException">The workflow or step id is not an identifier.</exception>
    public static void Step(WorkflowStep step)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!IsIdentifier(step.WorkflowId)) errors["workflowId"] = [IdentifierRule];
        if (!IsIdentifier(step.StepId)) errors["stepId"] = [IdentifierRule];
        if (errors.Count > 0) throw new AccountValidationException(errors);
    }

    /// <summary>The validation error for one field.</summary>
    public static AccountValidationException Invalid(string field, string message)
        => new(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static bool IsIdentifier(string? value)
        => !string.IsNullOrWhiteSpace(value) && value.Length <= MaxIdentifierLength && !PrintableText.HasHiddenCharacters(value);
}
