using Accounts.Orleans.Testing.OAuth;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Accounts.Orleans.Host.Tests.Interop;

/// <summary>The client side of the code flow, done by hand with a plain HttpClient, to prove the server without our own code.</summary>
internal sealed class CodeFlowClient(LoopbackAuthorizationServer server) : IDisposable
{
    public const string RedirectUri = "http://127.0.0.1:5999/oauth/callback";

    private readonly HttpClient _http = new();

    public string Verifier { get; } = Base64Url(RandomNumberGenerator.GetBytes(32));
    public string State { get; } = Base64Url(RandomNumberGenerator.GetBytes(16));

    public static LoopbackAuthorizationServerOptions Options() => new() { RedirectUris = [RedirectUri], Scopes = ["read", "write"] };

    public Uri AuthorizeUrl(string? prompt = null, string challengeMethod = "S256", string scope = "read")
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = server.Options.ClientId,
            ["redirect_uri"] = RedirectUri,
            ["scope"] = scope,
            ["state"] = State,
            ["code_challenge"] = challengeMethod == "S256" ? Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier))) : Verifier,
            ["code_challenge_method"] = challengeMethod,
        };
        if (prompt is not null) query["prompt"] = prompt;
        return new Uri(QueryHelpers.AddQueryString(server.AuthorizeEndpoint.AbsoluteUri, query));
    }

    /// <summary>The callback's query parameters after the user agent was sent back.</summary>
    public async Task<Dictionary<string, string>> AuthorizeAsync(string? prompt = null)
    {
        var callback = await server.AuthorizeAsUserAsync(AuthorizeUrl(prompt), TestContext.Current.CancellationToken);
        Assert.StartsWith(RedirectUri, callback.AbsoluteUri, StringComparison.Ordinal);
        return Query(callback);
    }

    public async Task<string> CodeAsync() => (await AuthorizeAsync())["code"];

    public Task<TokenAnswer> ExchangeAsync(string code, bool basic = false, string? verifier = null) =>
        PostTokenAsync(new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier ?? Verifier }, basic);

    public Task<TokenAnswer> RefreshAsync(string refreshToken, bool basic = false) =>
        PostTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, basic);

    public async Task<int> RevokeAsync(string token, string? hint = null)
    {
        var form = new Dictionary<string, string> { ["token"] = token };
        if (hint is not null) form["token_type_hint"] = hint;
        using var response = await PostAsync(server.RevocationEndpoint, form, basic: false);
        return (int)response.StatusCode;
    }

    public async Task<TokenAnswer> TokensAsync() => (await ExchangeAsync(await CodeAsync())).Succeeded();

    public void Dispose() => _http.Dispose();

    public static Dictionary<string, string> Query(Uri uri) =>
        QueryHelpers.ParseQuery(uri.Query).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    private async Task<TokenAnswer> PostTokenAsync(Dictionary<string, string> form, bool basic)
    {
        using var response = await PostAsync(server.TokenEndpoint, form, basic);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new TokenAnswer((int)response.StatusCode, JsonDocument.Parse(body).RootElement.Clone(), body);
    }

    private async Task<HttpResponseMessage> PostAsync(Uri endpoint, Dictionary<string, string> form, bool basic)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (basic)
        {
            // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
            var credentials = $"{Uri.EscapeDataString(server.Options.ClientId)}:{Uri.EscapeDataString(server.Options.ClientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form["client_id"] = server.Options.ClientId;
            form["client_secret"] = server.Options.ClientSecret;
        }
        request.Content = new FormUrlEncodedContent(form);
        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed record TokenAnswer(int Status, JsonElement Json, string Body)
{
    public string? this[string name] => Json.TryGetProperty(name, out var value) ? value.ToString() : null;

    public TokenAnswer Succeeded()
    {
        Assert.True(Status == 200, $"Expected a token, got {Status}: {Body}");
        return this;
    }
}
