using System.Collections.Concurrent;
using System.Reflection;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Host.Cluster;

/// <summary>
/// What every contract method refuses before its grain runs: a null where the parameter is not nullable, and an enum
/// value the contract does not define. The refusal is the module's own validation error, never a
/// NullReferenceException from deep inside a grain. Rules about values (limits, ids, lengths) stay with the grains.
/// </summary>
public static class ContractArguments
{
    private static readonly ConcurrentDictionary<MethodInfo, ParameterRule[]> Rules = new();

    /// <summary>The refusal for this call's arguments, or null when they may go on to the grain.</summary>
    public static Exception? Check(IIncomingGrainCallContext context)
    {
        if (CallerChecks.Contract(context) is not ({ DeclaringType: { } contract } method, var request) || !IsOurs(contract)) return null;
        var rules = Rules.GetOrAdd(method, ParameterRule.For);
        Dictionary<string, string[]>? errors = null;
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i].Check(request.GetArgument(i)) is { } problem)
                (errors ??= new(StringComparer.Ordinal))[rules[i].Name] = [problem];
        }
        return errors is null ? null : Refusal(contract, errors);
    }

    private static bool IsOurs(Type contract) => contract.Namespace?.StartsWith("Accounts.Orleans.", StringComparison.Ordinal) == true;

    /// <summary>Each module answers bad input with its own validation type, the one its callers already handle.</summary>
    private static Exception Refusal(Type contract, Dictionary<string, string[]> errors)
        => contract.Namespace!.StartsWith("Accounts.Orleans.Contracts.Catalog", StringComparison.Ordinal) || contract.Namespace.StartsWith("Accounts.Orleans.Catalog", StringComparison.Ordinal)
            ? new CatalogValidationException(errors)
            : new AccountValidationException(errors);

    private sealed record ParameterRule(string Name, bool Required, Type? Enum)
    {
        private static readonly NullabilityInfoContext Nullability = new();

        public string? Check(object? value) => value switch
        {
            null => Required ? "is required" : null,
            _ when Enum is not null && !System.Enum.IsDefined(Enum, value) => $"must be one of: {string.Join(", ", System.Enum.GetNames(Enum))}",
            _ => null,
        };

        public static ParameterRule[] For(MethodInfo method)
        {
            // NullabilityInfoContext caches as it goes and is not thread-safe; this runs once per method.
            lock (Nullability)
            {
                return method.GetParameters().Select(p =>
                {
                    var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
                    var required = !p.ParameterType.IsValueType && Nullability.Create(p).WriteState == NullabilityState.NotNull;
                    return new ParameterRule(p.Name ?? $"argument{p.Position}", required, type.IsEnum ? type : null);
                }).ToArray();
            }
        }
    }
}
