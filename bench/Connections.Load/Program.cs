using Accounts.Orleans.Client;
using LoadProbe;
// Load driver for the connected-accounts hot paths, on an embedded Host in this process (loopback only):
//   dotnet run -c Release --project bench/Connections.Load [-- --seconds 5 --accounts 1000 --callers 50 --storm-accounts 1000 --proxy-only 1 --webhooks-only 1]
// Measures warm credential reads against a no-op grain call (in the silo and through an Orleans client), calls
// through the proxy against calling the loopback app directly, cold activations against the storage provider's own
// indexed point read of the same rows, a refresh storm, and webhook delivery from the outbox.
using System.Diagnostics;
using System.Globalization;
using Accounts.Orleans.Connections.Load;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var seconds = Option("--seconds", 5);
var accountCount = Option("--accounts", 1000);
var callers = Option("--callers", 50);
var stormAccounts = Option("--storm-accounts", Math.Min(accountCount, 1000));
var proxyOnly = Option("--proxy-only", 0) == 1;
var webhooksOnly = Option("--webhooks-only", 0) == 1;
var duration = TimeSpan.FromSeconds(seconds);
var data = Directory.CreateTempSubdirectory("accounts-load-").FullName;
var gatewayPort = FreePorts.Next();

await using var keyApp = await LoopbackKeyApp.StartAsync("lk_0123456789abcdef0123");
await using var tokenEndpoint = await FakeTokenEndpoint.StartAsync();
await using var apiApp = await LoopbackApiApp.StartAsync();
apiApp.ValidSecret = keyApp.ValidKey;
var settings = new Dictionary<string, string?>
{
    ["Accounts:Storage:DataDirectory"] = data,
    ["Accounts:Cluster:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
    ["Accounts:Cluster:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
    ["Accounts:OAuthClients:loopback_oauth:ClientId"] = "load",
    ["Accounts:OAuthClients:loopback_oauth:ClientSecret"] = "load-secret",
    ["Accounts:Connections:RedirectUri"] = "http://127.0.0.1/oauth/callback",
    ["Logging:LogLevel:Default"] = "Warning",
    ["Accounts:Api:RequestsPerMinutePerKey"] = "1000000",
    ["urls"] = "http://127.0.0.1:0",
};
TestCatalog.AddTo(settings, keyApp.Definition with
{
    Api = new Accounts.Orleans.Contracts.Catalog.ApiSettings
    {
        BaseUrl = apiApp.BaseAddress.ToString().TrimEnd('/'),
        Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {{api_key}}" },
    },
}, TestCatalog.OAuthApp("loopback_oauth", new Uri(tokenEndpoint.TokenUrl, "/authorize"),
    tokenEndpoint.TokenUrl, tokenEndpoint.RevokeUrl, pkce: false, auth: Accounts.Orleans.Contracts.Catalog.TokenRequestAuth.ClientSecretPost));

var app = await StartHostAsync();
var grains = app.Services.GetRequiredService<IGrainFactory>();
var step = new WorkflowStep("wf_load", "step");
var read = new CredentialRequest("ws_load", step.WorkflowId, step.StepId);

// Warm reads: one account, many callers.
var hot = await grains.GetGrain<IAccountConnectorGrain>(0).ConnectWithKeysAsync(new KeyConnectRequest
{
    WorkspaceId = "ws_load", AppSlug = LoopbackKeyApp.Slug, Nickname = "hot",
    Fields = new Dictionary<string, string> { ["api_key"] = keyApp.ValidKey }, Actor = "load",
});
await grains.GetGrain<IConnectedAccountGrain>(hot.Id).LinkAsync("ws_load", step);
if (proxyOnly || webhooksOnly)
{
    if (proxyOnly) await MeasureProxyAsync();
    if (webhooksOnly) await MeasureWebhooksAsync();
    await app.StopAsync();
    await app.DisposeAsync();
    Directory.Delete(data, recursive: true);
    return 0;
}
Console.WriteLine($"Warm reads, {Environment.ProcessorCount} cores, 64 workers, {seconds} s each (after a 2 s warm-up of both):");
await Measure.LoadAsync("warm-up", () => grains.GetGrain<IPingGrain>("p").PingAsync(), 64, TimeSpan.FromSeconds(1));
await Measure.LoadAsync("warm-up", () => grains.GetGrain<IConnectedAccountGrain>(hot.Id).GetCredentialsAsync(read), 64, TimeSpan.FromSeconds(1));
var ping = await Measure.LoadAsync("in-silo: no-op grain call", () => grains.GetGrain<IPingGrain>("p").PingAsync(), 64, duration);
var warm = await Measure.LoadAsync("in-silo: GetCredentialsAsync (warm)", () => grains.GetGrain<IConnectedAccountGrain>(hot.Id).GetCredentialsAsync(read), 64, duration);
Console.WriteLine(ping);
Console.WriteLine(warm);
Console.WriteLine($"  ratio warm / no-op throughput: {warm.PerSecond / ping.PerSecond:F2}");

var clientBuilder = Host.CreateApplicationBuilder();
clientBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
clientBuilder.UseOrleansClient(c => c.UseLocalhostClustering(gatewayPort, "accounts", "accounts").UseClusterTls(app.Services.ClientTls()).UseApiKey(app.Services.AdminKey()));
using (var clientHost = clientBuilder.Build())
{
    await clientHost.StartAsync();
    var client = clientHost.Services.GetRequiredService<IClusterClient>();
    var clientPing = await Measure.LoadAsync("client: no-op grain call", () => client.GetGrain<IPingGrain>("p").PingAsync(), 64, duration);
    var clientWarm = await Measure.LoadAsync("client: GetCredentialsAsync (warm)", () => client.GetGrain<IConnectedAccountGrain>(hot.Id).GetCredentialsAsync(read), 64, duration);
    Console.WriteLine(clientPing);
    Console.WriteLine(clientWarm);
    Console.WriteLine($"  ratio warm / no-op throughput: {clientWarm.PerSecond / clientPing.PerSecond:F2}");
    await clientHost.StopAsync();
}

// The REST API: the same warm read over HTTP against the cheapest authenticated route, both through the whole
// pipeline (key check, per-key rate limit, call audit, JSON).
var engineKey = (await grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest
{
    Name = "load-engine", WorkspaceId = "ws_load", Scopes = [Scopes.CredentialsRead],
})).Key;
using (var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(app.Urls.First()) })
{
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", engineKey);
    var credentialsPath = $"/v1/accounts/{hot.Id}/credentials";
    async Task MeAsync() => (await http.GetAsync("/v1/me")).EnsureSuccessStatusCode().Dispose();
    async Task ReadOverHttpAsync()
    {
        using var content = new StringContent("""{ "workflowId": "wf_load", "stepId": "step" }""", System.Text.Encoding.UTF8, "application/json");
        (await http.PostAsync(credentialsPath, content)).EnsureSuccessStatusCode().Dispose();
    }
    await Measure.LoadAsync("warm-up", MeAsync, 64, TimeSpan.FromSeconds(1));
    await Measure.LoadAsync("warm-up", ReadOverHttpAsync, 64, TimeSpan.FromSeconds(1));
    var me = await Measure.LoadAsync("REST: GET /v1/me", MeAsync, 64, duration);
    var restRead = await Measure.LoadAsync("REST: POST credentials (warm)", ReadOverHttpAsync, 64, duration);
    Console.WriteLine(me);
    Console.WriteLine(restRead);
    Console.WriteLine($"  ratio credentials / me throughput: {restRead.PerSecond / me.PerSecond:F2}");
}

await MeasureProxyAsync();
await MeasureWebhooksAsync();

// Cold activations: many accounts, then a restart so none is active.
var ids = new List<string>();
for (var i = 0; i < accountCount; i++)
{
    var account = await grains.GetGrain<IAccountConnectorGrain>(0).ConnectWithKeysAsync(new KeyConnectRequest
    {
        WorkspaceId = "ws_load", AppSlug = LoopbackKeyApp.Slug, Nickname = $"cold {i}",
        Fields = new Dictionary<string, string> { ["api_key"] = keyApp.ValidKey }, Actor = "load",
    });
    await grains.GetGrain<IConnectedAccountGrain>(account.Id).LinkAsync("ws_load", step);
    ids.Add(account.Id);
}
await app.StopAsync();
await app.DisposeAsync();
app = await StartHostAsync();
grains = app.Services.GetRequiredService<IGrainFactory>();
var coldTicks = new List<long>();
foreach (var id in ids)
{
    var start = Stopwatch.GetTimestamp();
    await grains.GetGrain<IConnectedAccountGrain>(id).GetCredentialsAsync(read);
    coldTicks.Add(Stopwatch.GetTimestamp() - start);
}
// The anchor is the read the storage provider itself makes: its own query text, by the indexed identity columns.
var database = app.Services.GetRequiredService<AccountsDatabase>();
var pointRead = await PointReadAsync(database);
var sqlTicks = new List<long>();
foreach (var id in ids)
{
    var key = pointRead.Keys[id];
    var start = Stopwatch.GetTimestamp();
    await using var connection = await database.OpenAsync(CancellationToken.None);
    await using var command = connection.CreateCommand();
    command.CommandText = pointRead.Sql;
    command.AddParameter("GrainIdHash", key.IdHash);
    command.AddParameter("GrainTypeHash", key.TypeHash);
    command.AddParameter("GrainIdN0", key.N0);
    command.AddParameter("GrainIdN1", key.N1);
    command.AddParameter("ServiceId", "accounts");
    command.AddParameter("GrainTypeString", "account");
    command.AddParameter("GrainIdExtensionString", id);
    if (await command.ExecuteScalarAsync() is null) throw new InvalidOperationException($"The point read found no row for {id}.");
    sqlTicks.Add(Stopwatch.GetTimestamp() - start);
}
var cold = coldTicks.Order().ToArray();
var sql = sqlTicks.Order().ToArray();
Console.WriteLine($"Cold activation (storage read + decrypt), {accountCount} accounts, sequential:");
Console.WriteLine($"  GetCredentialsAsync (cold)  p50 {Measure.Percentile(cold, 0.5),8:N0} us   p99 {Measure.Percentile(cold, 0.99),8:N0} us   mean {cold.Average() * 1e6 / Stopwatch.Frequency,8:N0} us");
Console.WriteLine($"  the provider's point read   p50 {Measure.Percentile(sql, 0.5),8:N0} us   p99 {Measure.Percentile(sql, 0.99),8:N0} us   mean {sql.Average() * 1e6 / Stopwatch.Frequency,8:N0} us");
Console.WriteLine($"  ratio cold / point read (p50): {Measure.Percentile(cold, 0.5) / Measure.Percentile(sql, 0.5):F2}");

// Refresh storm: every account's token is due at once and many callers want each.
var oauthIds = new List<string>();
tokenEndpoint.DefaultResponse = FakeResponse.Token("due", expiresIn: 60, refreshToken: "r0");
for (var i = 0; i < stormAccounts; i++)
{
    var started = await grains.GetGrain<IAccountConnectorGrain>(0).StartOAuthAsync(new OAuthStartRequest
    {
        WorkspaceId = "ws_load", AppSlug = "loopback_oauth", Nickname = $"storm {i}", Actor = "load",
    });
    var completed = await grains.OAuthBrowserFlow(started.State).CompleteAsync(new OAuthCallback("code", null, null, null));
    await grains.GetGrain<IConnectedAccountGrain>(completed.AccountId).LinkAsync("ws_load", step);
    oauthIds.Add(completed.AccountId);
}
tokenEndpoint.DefaultResponse = FakeResponse.Token("fresh", expiresIn: 3600, refreshToken: "r1") with { Delay = TimeSpan.FromMilliseconds(50) };
var before = tokenEndpoint.Requests.Count(r => r.Field("grant_type") == "refresh_token");
var storm = Stopwatch.StartNew();
await Task.WhenAll(oauthIds.SelectMany(id => Enumerable.Range(0, callers).Select(_ => grains.GetGrain<IConnectedAccountGrain>(id).GetCredentialsAsync(read))));
storm.Stop();
var tokenCalls = tokenEndpoint.Requests.Count(r => r.Field("grant_type") == "refresh_token") - before;
Console.WriteLine($"Refresh storm: {stormAccounts} due accounts x {callers} callers = {stormAccounts * callers:N0} reads");
Console.WriteLine($"  token-endpoint calls {tokenCalls:N0} (one per account expected), wall time {storm.Elapsed.TotalSeconds:F2} s (endpoint answers in 50 ms)");

await app.StopAsync();
await app.DisposeAsync();
Directory.Delete(data, recursive: true);
return 0;

// The proxy: the same GET against the loopback app, called directly with the key, through the proxy grain in the
// silo, and through the REST route; 64 workers each.
async Task MeasureProxyAsync()
{
    apiApp.Recording = false;
    var proxyKey = (await grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest
    {
        Name = "load-proxy", WorkspaceId = "ws_load", Scopes = [Scopes.Proxy],
    })).Key;
    var proxy = grains.GetGrain<IAccountProxyGrain>(0);
    var call = new ProxyRequest { WorkspaceId = "ws_load", WorkflowId = step.WorkflowId, StepId = step.StepId, Path = "/api/v1/things/1" };
    using var direct = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = apiApp.BaseAddress };
    direct.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", keyApp.ValidKey);
    using var rest = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(app.Urls.First()) };
    rest.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", proxyKey);
    async Task DirectAsync() => (await direct.GetAsync("/api/v1/things/1")).EnsureSuccessStatusCode().Dispose();
    async Task ProxiedAsync()
    {
        var answer = await proxy.ProxyAsync(hot.Id, call);
        if (answer.Status != 200) throw new InvalidOperationException($"The proxy answered {answer.Status}.");
    }
    async Task StreamedAsync()
    {
        await foreach (var part in grains.StreamProxyAsync(hot.Id, call))
            if (part.Head is { Status: not 200 } head) throw new InvalidOperationException($"The proxy answered {head.Status}.");
    }
    async Task RestAsync()
    {
        using var content = new StringContent("""{ "workflowId": "wf_load", "stepId": "step", "path": "/api/v1/things/1" }""", System.Text.Encoding.UTF8, "application/json");
        (await rest.PostAsync($"/v1/accounts/{hot.Id}/proxy", content)).EnsureSuccessStatusCode().Dispose();
    }
    await Measure.LoadAsync("warm-up", DirectAsync, 64, TimeSpan.FromSeconds(1));
    await Measure.LoadAsync("warm-up", ProxiedAsync, 64, TimeSpan.FromSeconds(1));
    await Measure.LoadAsync("warm-up", StreamedAsync, 64, TimeSpan.FromSeconds(1));
    await Measure.LoadAsync("warm-up", RestAsync, 64, TimeSpan.FromSeconds(1));
    var directResult = await Measure.LoadAsync("direct: GET the loopback app", DirectAsync, 64, duration);
    var proxied = await Measure.LoadAsync("in-silo: IAccountProxyGrain.ProxyAsync", ProxiedAsync, 64, duration);
    var streamed = await Measure.LoadAsync("in-silo: StreamProxyAsync (IAccountProxyStreamGrain)", StreamedAsync, 64, duration);
    var overRest = await Measure.LoadAsync("REST: POST /v1/accounts/{id}/proxy (streamed)", RestAsync, 64, duration);
    Console.WriteLine($"Proxy, {Environment.ProcessorCount} cores, 64 workers, {seconds} s each:");
    Console.WriteLine(directResult);
    Console.WriteLine(proxied);
    Console.WriteLine(streamed);
    Console.WriteLine(overRest);
    Console.WriteLine($"  ratio proxy / direct throughput: in-silo {proxied.PerSecond / directResult.PerSecond:F2}, streamed {streamed.PerSecond / directResult.PerSecond:F2}, REST {overRest.PerSecond / directResult.PerSecond:F2}");
}

// Webhooks: events appended to the outbox as producers append them, delivered, signed, to a receiver on loopback
// that checks every signature; to one endpoint (at most 4 in flight, the per-endpoint limit) and to eight.
async Task MeasureWebhooksAsync()
{
    await using var receiver = await WebhookReceiver.StartAsync();
    var outbox = app.Services.GetRequiredService<Accounts.Orleans.Connections.Webhooks.EventOutbox>();
    var webhooks = grains.GetGrain<Accounts.Orleans.Contracts.Webhooks.IWebhooksGrain>(0);
    Console.WriteLine($"Webhooks, {Environment.ProcessorCount} cores (shared with the receiver), from append to the receiver's 2xx:");
    foreach (var (endpoints, events) in new[] { (1, 1000), (8, 1000) })
    {
        var workspace = $"ws_hooks_{endpoints}";
        for (var i = 0; i < endpoints; i++)
        {
            var created = await webhooks.CreateEndpointAsync(workspace, new Accounts.Orleans.Contracts.Webhooks.WebhookEndpointSpec { Url = receiver.Url });
            receiver.Secrets.Add(created.Secret);
        }
        var before = receiver.Deliveries.Count;
        var expected = endpoints * events;
        var clock = Stopwatch.StartNew();
        foreach (var batch in Enumerable.Range(0, events).Chunk(50))
        {
            await outbox.AppendAsync(batch.Select(n => Accounts.Orleans.Connections.Webhooks.OutboxEvent.New("account.connected", workspace, TimeProvider.System,
                new() { ["account_id"] = $"acct_{n}", ["app"] = "loopback_keys", ["health"] = "healthy" })).ToArray(), CancellationToken.None);
        }
        var appended = clock.Elapsed;
        while (receiver.Deliveries.Count - before < expected && clock.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(20);
        var took = clock.Elapsed;
        var verified = receiver.Deliveries.Skip(before).Count(d => d.Verified);
        Console.WriteLine($"  {endpoints} endpoint(s): {events:N0} events, {receiver.Deliveries.Count - before:N0}/{expected:N0} deliveries ({verified:N0} verified) in {took.TotalSeconds:F2} s = {(receiver.Deliveries.Count - before) / took.TotalSeconds,8:N0} deliveries/s (appending took {appended.TotalSeconds:F2} s)");
    }
}

async Task<WebApplication> StartHostAsync()
{
    var host = AccountsHost.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
    await AccountsHost.StartAsync(host);
    return host;
}

// Identity columns of every stored account, read in one pass (not timed), and the provider's own read query.
static async Task<(string Sql, Dictionary<string, (long IdHash, long TypeHash, long N0, long N1)> Keys)> PointReadAsync(AccountsDatabase database)
{
    await using var connection = await database.OpenAsync(CancellationToken.None);
    await using var query = connection.CreateCommand();
    query.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'ReadFromStorageKey';";
    var sql = (string)(await query.ExecuteScalarAsync())!;
    await using var keys = connection.CreateCommand();
    keys.CommandText = "SELECT grain_id_extension, grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1 FROM accounts_grain_state WHERE grain_type = 'account';";
    var byId = new Dictionary<string, (long, long, long, long)>(StringComparer.Ordinal);
    await using var reader = await keys.ExecuteReaderAsync();
    while (await reader.ReadAsync())
        byId[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    return (sql, byId);
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
