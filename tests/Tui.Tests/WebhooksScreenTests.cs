using System.Text.RegularExpressions;
using Accounts.Orleans.Contracts.Webhooks;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Tui.Dialogs;
using Accounts.Orleans.Tui.Screens;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>The webhooks and deliveries screens and their dialogs, driven headless against a real embedded Host.</summary>
public sealed partial class WebhooksScreenTests
{
    private const string Operator = "console:ops@test";

    [Fact]
    public async Task An_endpoint_added_through_the_dialog_shows_its_secret_once_and_the_list_then_shows_only_its_last_four_characters()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new WebhooksScreen(console.Session);
        window.Add(screen);
        await screen.LoadAsync();
        console.OnDialog<WebhookEndpointDialog>(async dialog =>
        {
            console.Type(TestHost.Workspace);
            console.Press(Key.Tab);
            console.Type("https://hooks.acme.example/accounts");
            console.Press(Key.Tab);
            console.Type("account.needs_reconnect, account.degraded");
            console.Press(Key.Tab);
            console.Type("Ops pager");
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        var secretDialog = "";
        console.OnDialog<SigningSecretDialog>(dialog =>
        {
            secretDialog = console.Draw();
            return Task.CompletedTask;
        });

        await screen.AddAsync();
        var afterAdd = console.Draw(window);

        var endpoint = Assert.Single(await Webhooks(host).ListEndpointsAsync(TestHost.Workspace));
        var secret = Secret().Match(secretDialog).Value;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(secret[^4..], endpoint.SecretHint);
        Assert.Contains("It will not be shown again", secretDialog, StringComparison.Ordinal);
        Assert.Equal(endpoint.Id, screen.Selected?.Id);
        Assert.Contains("1 endpoint", afterAdd, StringComparison.Ordinal);
        Assert.Contains($"…{endpoint.SecretHint}", afterAdd, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, afterAdd, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", afterAdd, StringComparison.Ordinal);
        var details = ScreenText.DetailsPane(afterAdd, "https://hooks.acme.example/accounts");
        Assert.Contains("Events: account.degraded, account.needs_reconnect", details, StringComparison.Ordinal);
        Assert.Contains($"Signing secret: …{endpoint.SecretHint} (shown in full once, when made or rotated)", details, StringComparison.Ordinal);
        Assert.Contains("Description: Ops pager", details, StringComparison.Ordinal);
        Assert.Empty(console.Told);
    }

    [Fact]
    public async Task Rotating_shows_the_new_secret_once_and_the_list_says_until_when_the_previous_one_still_signs()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var created = await Webhooks(host).CreateEndpointAsync(TestHost.Workspace, new WebhookEndpointSpec { Url = "https://hooks.acme.example/rotate" });
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new WebhooksScreen(console.Session);
        window.Add(screen);
        await screen.LoadAsync();
        var prompt = "";
        console.OnDialog<TextPromptDialog>(async dialog =>
        {
            prompt = dialog.Value;
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        var secretDialog = "";
        console.OnDialog<SigningSecretDialog>(dialog =>
        {
            secretDialog = console.Draw();
            return Task.CompletedTask;
        });

        await screen.RotateAsync();
        var afterRotate = console.Draw(window);

        var rotated = Assert.Single(await Webhooks(host).ListEndpointsAsync(TestHost.Workspace));
        var secret = Secret().Match(secretDialog).Value;
        Assert.Equal("24", prompt);
        Assert.NotEqual(created.Secret, secret);
        Assert.Equal(secret[^4..], rotated.SecretHint);
        Assert.Contains($"The previous secret (…{created.Endpoint.SecretHint}) also signs until", secretDialog, StringComparison.Ordinal);
        Assert.Contains("It will not be shown again", secretDialog, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", afterRotate, StringComparison.Ordinal);
        var details = ScreenText.DetailsPane(afterRotate, "https://hooks.acme.example/rotate");
        Assert.Contains($"Signing secret: …{rotated.SecretHint}", details, StringComparison.Ordinal);
        Assert.Contains("Previous secret still signs until", details, StringComparison.Ordinal);
        Assert.True(rotated.PreviousSecretUntil > DateTimeOffset.UtcNow.AddHours(23));
    }

    [Fact]
    public async Task A_dead_delivery_shows_in_the_dead_letter_view_and_redeliver_queues_it_again()
    {
        await using var host = await TestHost.Sqlite().With(s =>
        {
            s["Accounts:Connections:WebhookMaxAttempts"] = "1";
            s["Accounts:Connections:WebhookPollInterval"] = "00:00:00.100";
        }).StartAsync();
        // The outbound address policy refuses this address, so the only attempt fails and the delivery is dead.
        var endpoint = (await Webhooks(host).CreateEndpointAsync(TestHost.Workspace, new WebhookEndpointSpec { Url = "https://169.254.169.254/hook" })).Endpoint;
        await Webhooks(host).PingAsync(TestHost.Workspace, endpoint.Id);
        WebhookDelivery? dead = null;
        await Eventually.TrueAsync(async () =>
        {
            dead = (await Webhooks(host).ListDeliveriesAsync(new() { Status = WebhookDeliveryStatus.Dead })).Items.SingleOrDefault();
            return dead is not null;
        }, TimeSpan.FromSeconds(30), "the ping's delivery to die");
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new WebhookDeliveriesScreen(console.Session);
        window.Add(screen);

        await screen.LoadAsync();
        var deadLetters = console.Draw(window);
        var selected = screen.Selected?.Id;
        await screen.RedeliverAsync();

        Assert.Equal(DeliveryFilter.Dead, screen.StatusFilter);
        Assert.Equal(dead!.Id, selected);
        Assert.Contains("1 dead delivery", deadLetters, StringComparison.Ordinal);
        Assert.Contains(WebhookEventTypes.Ping, deadLetters, StringComparison.Ordinal);
        Assert.Contains(TestHost.Workspace, deadLetters, StringComparison.Ordinal);
        var details = ScreenText.DetailsPane(deadLetters, $"{WebhookEventTypes.Ping} to https://169.254.169.254/hook");
        Assert.Contains($"Delivery: {dead.Id}", details, StringComparison.Ordinal);
        Assert.Contains("Status: dead after 1 attempt(s)", details, StringComparison.Ordinal);
        Assert.Contains($"Last attempt: {dead.LastError}", details, StringComparison.Ordinal);
        Assert.Equal([$"Redeliver: {WebhookEventTypes.Ping} to https://169.254.169.254/hook is queued again; Status: Pending shows it until it goes out."], console.Told);
    }

    private static IWebhooksGrain Webhooks(TestHost host) => host.Grains.GetGrain<IWebhooksGrain>(0);

    [GeneratedRegex(@"whsec_[A-Za-z0-9+/=]+")]
    private static partial Regex Secret();
}
