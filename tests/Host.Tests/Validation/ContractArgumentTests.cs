using System.Reflection;
using Accounts.Orleans.Connections;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Validation;

/// <summary>
/// Every method of every public grain interface, called through an Orleans client with null arguments and with values
/// out of range: each answers with its module's validation error, which the client can deserialize, and nothing else.
/// </summary>
public sealed class ContractArgumentTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private ExternalClient _client = null!;

    private IClusterClient Grains => _client.Grains;

    public async ValueTask InitializeAsync()
    {
        _host = await TestHost.Sqlite().StartAsync();
        _client = await _host.ConnectClientAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _host.DisposeAsync();
    }

    /// <summary>Interface and method names of every contract method that takes a reference it cannot do without.</summary>
    public static TheoryData<string, string> MethodsWithRequiredReferences()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in ContractMethods().Where(m => RequiredReferences(m).Any()))
            data.Add(method.DeclaringType!.Name, method.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(MethodsWithRequiredReferences))]
    public async Task Null_for_a_required_argument_is_refused_with_the_modules_validation_error(string contract, string methodName)
    {
        var method = ContractMethods().Single(m => m.DeclaringType!.Name == contract && m.Name == methodName);
        var arguments = method.GetParameters().Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();

        var error = await Record.ExceptionAsync(() => Completion(method.Invoke(GrainFor(method.DeclaringType!), arguments)));

        var errors = error switch
        {
            AccountValidationException e when !IsCatalog(method) => e.Errors,
            CatalogValidationException e when IsCatalog(method) => e.Errors,
            _ => throw new Xunit.Sdk.XunitException($"{contract}.{methodName}(null…) answered {error?.GetType().FullName ?? "nothing"}: {error?.Message}"),
        };
        Assert.All(RequiredReferences(method), p => Assert.Contains(p.Name!, errors.Keys));
    }

    [Fact]
    public void The_walk_covers_every_public_grain_interface()
    {
        var walked = ContractMethods().Select(m => m.DeclaringType!).Distinct().ToArray();
        var contracts = typeof(IConnectedAccountGrain).Assembly.GetExportedTypes().Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t));

        Assert.Equal(contracts.OrderBy(t => t.Name), walked.Concat(contracts.Where(c => c.GetMethods().Length == 0)).Distinct().OrderBy(t => t.Name));
        Assert.True(MethodsWithRequiredReferences().Count >= 20);
    }

    [Fact]
    public async Task Limits_of_zero_or_less_or_past_the_maximum_are_refused()
    {
        var directory = Grains.GetGrain<IAccountDirectoryGrain>(0);
        var reader = Grains.GetGrain<IAppCatalogReaderGrain>(0);

        foreach (var limit in new[] { 0, -1, int.MinValue, AccountQuery.MaxLimit + 1 })
            Assert.Contains("limit", (await Assert.ThrowsAsync<AccountValidationException>(() => directory.ListAsync(new AccountQuery { Limit = limit }))).Errors.Keys);
        foreach (var limit in new[] { 0, -5, 1001 })
            Assert.Contains("limit", (await Assert.ThrowsAsync<AccountValidationException>(() => directory.GetAuditAsync(AccountIds.New(TimeProvider.System), limit))).Errors.Keys);
        foreach (var limit in new[] { 0, -1, AppQuery.MaxLimit + 1 })
            Assert.Contains("limit", (await Assert.ThrowsAsync<CatalogValidationException>(() => reader.ListAppsAsync(new AppQuery { Limit = limit }))).Errors.Keys);
        Assert.Contains("atLeastRevision", (await Assert.ThrowsAsync<CatalogValidationException>(() => reader.ListAppsAsync(new AppQuery { AtLeastRevision = -1 }))).Errors.Keys);
        Assert.Equal("KeyConnectRequest { WorkspaceId = , AppSlug = , Nickname = , Fields = [] }",
            new KeyConnectRequest { WorkspaceId = null!, AppSlug = null!, Nickname = null!, Fields = null!, Actor = null! }.ToString());
    }

    [Fact]
    public async Task Enum_values_the_contract_does_not_define_are_refused()
    {
        var catalog = Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);

        var health = await Assert.ThrowsAsync<AccountValidationException>(() => Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { Health = (AccountHealth)42 }));
        var status = await Assert.ThrowsAsync<CatalogValidationException>(() => catalog.ListRequestsAsync(new AppRequestQuery { Status = (AppRequestStatus)42 }));
        var triage = await Assert.ThrowsAsync<CatalogValidationException>(() => catalog.TriageRequestAsync("req_x", (AppRequestStatus)(-1), null, "ops", null));

        Assert.Contains("health", health.Errors.Keys);
        Assert.Contains("status", status.Errors.Keys);
        Assert.Contains("status", triage.Errors.Keys);
    }

    [Theory]
    [InlineData("acct_")]
    [InlineData("acct_01jdzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("acct_01jdzzzzzzzzzzzzzzzzzzzzzz\n")]
    [InlineData("not-an-account")]
    public async Task An_account_id_that_cannot_exist_is_refused_rather_than_looked_up(string id)
    {
        var account = Grains.GetGrain<IConnectedAccountGrain>(id);

        Assert.Contains("accountId", (await Assert.ThrowsAsync<AccountValidationException>(() => account.GetAsync())).Errors.Keys);
        Assert.Contains("accountId", (await Assert.ThrowsAsync<AccountValidationException>(() => account.RenameAsync("n", "ops"))).Errors.Keys);
    }

    [Fact]
    public async Task Over_long_empty_or_control_character_ids_are_refused_everywhere_they_are_taken()
    {
        var account = Grains.GetGrain<IConnectedAccountGrain>(AccountIds.New(TimeProvider.System));
        var tooLong = new string('w', 201);
        var step = new WorkflowStep("wf", "step");

        foreach (var workspace in new[] { "", "   ", tooLong, "ws\u0000x", "ws\u202Ex" })
        {
            Assert.Contains("workspaceId", (await Assert.ThrowsAsync<AccountValidationException>(() => account.LinkAsync(workspace, step))).Errors.Keys);
            Assert.Contains("workspaceId", (await Assert.ThrowsAsync<AccountValidationException>(() => account.GetCredentialsAsync(new CredentialRequest(workspace, "wf", "step")))).Errors.Keys);
        }
        Assert.Contains("workflowId", (await Assert.ThrowsAsync<AccountValidationException>(() => account.LinkAsync("ws", new WorkflowStep(tooLong, "s")))).Errors.Keys);
        Assert.Contains("stepId", (await Assert.ThrowsAsync<AccountValidationException>(() => account.LinkAsync("ws", new WorkflowStep("wf", "")))).Errors.Keys);
        Assert.Contains("actor", (await Assert.ThrowsAsync<AccountValidationException>(() => account.RefreshAsync(tooLong))).Errors.Keys);
        Assert.Contains("actor", (await Assert.ThrowsAsync<AccountValidationException>(() => account.DeleteAsync(force: true, ""))).Errors.Keys);
        Assert.Contains("accountId", (await Assert.ThrowsAsync<AccountValidationException>(() => Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(tooLong, 5))).Errors.Keys);
        Assert.Contains("accountId", (await Assert.ThrowsAsync<AccountValidationException>(() => Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync("", 5))).Errors.Keys);
        Assert.Contains("actor", (await Assert.ThrowsAsync<AccountValidationException>(() => Grains.GetGrain<IAccountMaintenanceGrain>(0).RebuildIndexAsync("bad\nactor"))).Errors.Keys);
    }

    [Fact]
    public async Task Requests_whose_members_are_null_are_refused_member_by_member()
    {
        var connector = Grains.GetGrain<IAccountConnectorGrain>(0);

        var keys = await Assert.ThrowsAsync<AccountValidationException>(() => connector.ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = null!, AppSlug = null!, Nickname = null!, Fields = null!, Actor = null!,
        }));
        var reconnect = await Assert.ThrowsAsync<AccountValidationException>(() => connector.ReconnectWithKeysAsync(new KeyReconnectRequest
        {
            AccountId = null!, WorkspaceId = null!, Fields = null!, Actor = null!,
        }));
        var oauth = await Assert.ThrowsAsync<AccountValidationException>(() => connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = null!, AppSlug = null!, Nickname = null!, Actor = null!, ExtraScopes = null!,
        }));
        var credentials = await Assert.ThrowsAsync<AccountValidationException>(() =>
            Grains.GetGrain<IConnectedAccountGrain>(AccountIds.New(TimeProvider.System)).GetCredentialsAsync(new CredentialRequest(null!, null!, null!)));
        var client = await Assert.ThrowsAsync<AccountValidationException>(() => Grains.GetGrain<IOAuthClientRegistryGrain>(0).SetAsync(new OAuthClientRegistration
        {
            AppSlug = null!, ClientId = null!, Actor = null!,
        }));
        var submission = await Assert.ThrowsAsync<CatalogValidationException>(() =>
            Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey).SubmitRequestAsync(new AppRequestSubmission(null!, null, null, null!)));

        Assert.Equal(["actor", "appSlug", "nickname", "workspaceId"], keys.Errors.Keys.Order());
        Assert.Contains("accountId", reconnect.Errors.Keys);
        Assert.Superset(new HashSet<string> { "actor", "appSlug", "nickname", "workspaceId" }, oauth.Errors.Keys.ToHashSet());
        Assert.Contains("workspaceId", credentials.Errors.Keys);
        Assert.Superset(new HashSet<string> { "actor", "appSlug", "clientId" }, client.Errors.Keys.ToHashSet());
        Assert.Contains("name", submission.Errors.Keys);
    }

    /// <summary>A call's outcome: its task, or a streamed answer's first part, where a stream's refusal arrives.</summary>
    private static async Task Completion(object? call)
    {
        if (call is IAsyncEnumerable<object> parts)
        {
            await using var enumerator = parts.GetAsyncEnumerator(TestContext.Current.CancellationToken);
            await enumerator.MoveNextAsync();
        }
        else await (Task)call!;
    }

    private static IEnumerable<MethodInfo> ContractMethods()
        => typeof(IConnectedAccountGrain).Assembly.GetExportedTypes()
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t))
            .SelectMany(t => t.GetMethods())
            .OrderBy(m => m.DeclaringType!.Name).ThenBy(m => m.Name);

    private static IEnumerable<ParameterInfo> RequiredReferences(MethodInfo method)
    {
        var nullability = new NullabilityInfoContext();
        return method.GetParameters().Where(p => !p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.NotNull);
    }

    private static bool IsCatalog(MethodInfo method) => method.DeclaringType!.Namespace!.EndsWith(".Catalog", StringComparison.Ordinal);

    /// <summary>The grain behind a contract: through the client, or in the silo for a contract only the service may call.</summary>
    private IGrain GrainFor(Type contract)
    {
        IGrainFactory grains = contract.IsDefined(typeof(Contracts.Access.ServiceOnlyAttribute), inherit: false) ? _host.Grains : Grains;
        if (typeof(IGrainWithIntegerKey).IsAssignableFrom(contract)) return grains.GetGrain(contract, 0L);
        var key = contract == typeof(IAppCatalogGrain) ? IAppCatalogGrain.DefaultKey
            : contract == typeof(IConnectedAccountGrain) ? AccountIds.New(TimeProvider.System)
            : contract == typeof(IConnectSessionUseGrain) || contract == typeof(IConnectSessionGrain) ? ConnectTokens.SessionPrefix + Ulid.NewUlid().ToString().ToLowerInvariant()
            : "walk-" + Guid.NewGuid().ToString("N");
        return grains.GetGrain(contract, key);
    }
}
