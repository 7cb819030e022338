using System.Net;
using Accounts.Orleans.Contracts.Accounts;
using Xunit;

namespace Accounts.Orleans.Testing;

/// <summary>
/// A person's browser at the Host, over plain HTTP: opens an OAuth flow's start page, presses its button, keeps the
/// cookie that binds the flow to this browser, and brings the app's redirect back to the callback with it. Redirects are
/// answers to look at, not to follow.
/// </summary>
public sealed class HostBrowser(Uri hostAddress)
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    /// <summary>A flow opened in this browser: where the app's consent is, and the cookie its callback needs.</summary>
    public sealed record OpenedFlow(string State, Uri AuthorizeUrl, string Cookie);

    /// <exception cref="InvalidOperationException">The start page did not bind the flow and send the browser on.</exception>
    public Task<OpenedFlow> OpenFlowAsync(OAuthStarted started) => OpenFlowAsync(started.Url);

    /// <summary>Opens the start page at <paramref name="url"/> (a flow's <see cref="OAuthStarted.Url"/>) and presses its button.</summary>
    public async Task<OpenedFlow> OpenFlowAsync(string url)
    {
        var ct = TestContext.Current.CancellationToken;
        // The flow's URL names the Host's public address; the test Host listens on a port of its own.
        var start = Here(new Uri(url).PathAndQuery);
        var state = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(start.Query)["flow"].ToString();
        using (var page = await Client.GetAsync(start, ct))
        {
            if (page.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"The start page answered {(int)page.StatusCode}: {await page.Content.ReadAsStringAsync(ct)}");
        }
        using var press = new HttpRequestMessage(HttpMethod.Post, Here(start.AbsolutePath))
        {
            Content = new FormUrlEncodedContent([new("flow", state)]),
        };
        press.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var pressed = await Client.SendAsync(press, ct);
        if (pressed.StatusCode != HttpStatusCode.Redirect || pressed.Headers.Location is not { } authorize || !pressed.Headers.TryGetValues("Set-Cookie", out var cookies))
            throw new InvalidOperationException($"The start page's button answered {(int)pressed.StatusCode}: {await pressed.Content.ReadAsStringAsync(ct)}");
        return new OpenedFlow(state, authorize, cookies.Single().Split(';')[0]);
    }

    /// <summary>The browser's last hop: the app's redirect, delivered to the Host's callback with <paramref name="cookie"/> (null: none).</summary>
    public Task<HttpResponseMessage> CallbackAsync(string query, string? cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Here("/oauth/callback" + (query.StartsWith('?') ? query : "?" + query)));
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        return Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private Uri Here(string pathAndQuery) => new(hostAddress, pathAndQuery);
}
