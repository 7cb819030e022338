using System.Data.Common;

namespace Accounts.Orleans.Storage;

public static class DbCommandExtensions
{
    /// <summary>Adds a named parameter; null becomes DBNull so both providers bind it.</summary>
    public static void AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
