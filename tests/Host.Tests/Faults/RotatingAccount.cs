using System.Text.Json;
using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Tests.Accounts;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Accounts.Orleans.Vault.Envelopes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Accounts.Orleans.Host.Tests.Faults;

/// <summary>An account of an app whose refresh tokens rotate and are good once, and what its Host has stored of it.</summary>
internal static class RotatingAccount
{
    public static readonly WorkflowStep Step = new("wf_sync", "pull");
    public static readonly CredentialRequest Read = new(TestHost.Workspace, Step.WorkflowId, Step.StepId);

    /// <summary>Connects an account through the Host's callback (its tokens come from <paramref name="app"/>) and links the step.</summary>
    public static async Task<string> ConnectAsync(TestHost host, RotatingRefreshTokens app)
    {
        host.Fake!.Rotation = app;
        var started = await host.StartFlowAsync();
        using var page = await host.CallbackAsync($"state={started.State}&code=any");
        Assert.True(page.IsSuccessStatusCode, await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var id = (await host.Host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        return id;
    }

    /// <summary>What storage holds for the account, read beside the grain: its refresh token and the in-flight mark.</summary>
    public static async Task<(string? RefreshToken, DateTimeOffset? RefreshStartedAt)> StoredAsync(RunningHost host, string id)
    {
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(Contracts.Storage.StorageNames.Grains);
        var stored = new GrainState<ConnectedAccountState>();
        await storage.ReadStateAsync(ConnectedAccountGrain.StateName, GrainId.Create("accounts.account", id), stored);
        var cipher = host.Services.GetRequiredService<EnvelopeCipher>();
        var secrets = JsonSerializer.Deserialize<AccountSecrets>(cipher.Open(stored.State!.SealedSecrets!, new CredentialBinding(TestHost.Workspace, id)))!;
        return (secrets.RefreshToken, stored.State.RefreshStartedAt);
    }

    /// <summary>True once storage holds <paramref name="refreshToken"/>; false while it holds another or cannot be read.</summary>
    public static async Task<bool> StoresAsync(RunningHost host, string id, string refreshToken)
    {
        try
        {
            return (await StoredAsync(host, id)).RefreshToken == refreshToken;
        }
        catch (Contracts.Storage.StorageUnavailableException)
        {
            return false;
        }
    }
}
