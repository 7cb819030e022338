using Accounts.Orleans.Testing;

[assembly: AssemblyFixture(typeof(PostgresServer))]
