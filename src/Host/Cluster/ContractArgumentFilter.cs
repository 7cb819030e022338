using System.Collections.Concurrent;
using System.Reflection;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Host.Cluster;

/// <summary>
/// Refuses, before any grain runs, a null where a contract method's parameter is not nullable and an enum value the
/// contract does not define: every caller gets the module's validation error for these, never a
/// NullReferenceException from deep inside a grain. Rules about values (limits, ids, lengths) stay with the grains.
/// </summary>
public sealed class ContractArgumentFilter : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, ParameterRule[]> Rules = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod is not { DeclaringType: { } contract } method || !IsOurs(contract)) return context.Invoke();
        var rules = Rules.GetOrAdd(method, ParameterRule.For);
        Dictionary<string, string[]>? errors = null;
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i].Check(context.Request.GetArgument(i)) is { } problem)
                (errors ??= new(StringComparer.Ordinal))[rules[i].Name] = [problem];
        }
        return errors is null ? context.Invoke() : Task.FromException(Refusal(contract, errors));
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
