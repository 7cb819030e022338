using System.Globalization;
using System.Net;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Storage.Faults.Bench;

/// <summary>
/// Two Host processes on a private PostgreSQL, an app on loopback whose refresh tokens rotate and are good once, and a
/// workflow engine's Orleans client that knows both gateways.
/// </summary>
public sealed class RotatingCluster : IAsyncDisposable
{
    public const string Slug = "rotating_app";
    public const string Workspace = "ws_faults";
    public static readonly WorkflowStep Step = new("wf_faults", "call");

    private readonly List<HostProcess> _silos = [];

    private RotatingCluster(PostgresServer postgres, FakeTokenEndpoint endpoint, RotatingRefreshTokens app)
    {
        Postgres = postgres;
        Endpoint = endpoint;
        App = app;
    }

    public PostgresServer Postgres { get; }

    public FakeTokenEndpoint Endpoint { get; }

    public RotatingRefreshTokens App { get; }

    public IReadOnlyList<HostProcess> Silos => _silos;

    public ExternalClient Client { get; private set; } = null!;

    public List<string> Accounts { get; } = [];

    /// <param name="lifetimeSeconds">How long each access token lives.</param>
    /// <param name="marginSeconds">How long before expiry a read refreshes it.</param>
    /// <param name="reuseGraceSeconds">How long the app still answers a spent refresh token (0: a reuse revokes the chain at once).</param>
    public static async Task<RotatingCluster> StartAsync(int lifetimeSeconds, int marginSeconds, int reuseGraceSeconds = 0, int silos = 2)
    {
        var postgres = await PostgresServer.StartPrivateAsync();
        var endpoint = await FakeTokenEndpoint.StartAsync();
        var app = new RotatingRefreshTokens { AccessTokenLifetimeSeconds = lifetimeSeconds, ReuseGrace = TimeSpan.FromSeconds(reuseGraceSeconds) };
        endpoint.Rotation = app;
        var cluster = new RotatingCluster(postgres, endpoint, app);
        var connectionString = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Accounts:Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Accounts"] = connectionString,
            ["Accounts:Cluster:ClusterId"] = "faults",
            ["Accounts:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["Accounts:Vault:KeyRingFile"] = Path.Combine(Directory.CreateTempSubdirectory("accounts-faults-keys-").FullName, "keys.json"),
            [$"Accounts:OAuthClients:{Slug}:ClientId"] = "faults-client",
            [$"Accounts:OAuthClients:{Slug}:ClientSecret"] = "faults-secret",
            ["Accounts:Connections:RedirectUri"] = "http://127.0.0.1/oauth/callback",
            ["Logging__LogLevel__Default"] = "Warning",
            // The account's lines about held and recovered rotations are what this run counts.
            ["Logging__LogLevel__Accounts.Orleans.Connections.Accounts"] = "Information",
        };
        var definition = TestCatalog.OAuthApp(Slug, new Uri(endpoint.TokenUrl, "/authorize"), endpoint.TokenUrl, endpoint.RevokeUrl, pkce: false, auth: TokenRequestAuth.ClientSecretPost);
        TestCatalog.AddTo(settings, definition with { OAuth = definition.OAuth! with { RefreshMarginSeconds = marginSeconds } });
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        for (var i = 0; i < silos; i++) cluster._silos.Add(HostProcess.Start(environment));
        await Task.WhenAll(cluster._silos.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(120))));
        cluster.Client = await ExternalClient.ConnectAsync(cluster._silos.Select(s => s.GatewayPort).ToArray(), TestCertificates.SharedClient(), cluster._silos[0].AdminKey, clusterId: "faults");
        return cluster;
    }

    /// <summary>Connects accounts through OAuth (the person's browser is this program) and links each to the step.</summary>
    public async Task ConnectAsync(int count)
    {
        var connector = Client.Grains.GetGrain<IAccountConnectorGrain>(0);
        for (var i = 0; i < count; i++)
        {
            var started = await connector.StartOAuthAsync(new OAuthStartRequest
            {
                WorkspaceId = Workspace, AppSlug = Slug, Nickname = string.Create(CultureInfo.InvariantCulture, $"Rotating {i}"), Actor = "bench",
            });
            var silo = _silos[i % _silos.Count];
            using (var page = await silo.Http.GetAsync(new Uri($"/oauth/callback?state={started.State}&code=c{i}", UriKind.Relative)))
            {
                if (page.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"The callback answered {page.StatusCode}.");
            }
            var id = (await Client.Grains.GetGrain<IOAuthFlowGrain>(started.State).GetViewAsync()).AccountId!;
            await Client.Grains.GetGrain<IConnectedAccountGrain>(id).LinkAsync(Workspace, Step);
            Accounts.Add(id);
        }
    }

    /// <summary>How many lines containing <paramref name="text"/> the silos have written, the dead ones included.</summary>
    public int Logged(string text) => _silos.Sum(s => s.Output.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal)));

    public async ValueTask DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        foreach (var silo in _silos) await silo.DisposeAsync();
        await Endpoint.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}
