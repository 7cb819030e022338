using System.Net;
using System.Text;
using System.Text.Json;
using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests;

/// <summary>The loopback OAuth 1.0a provider's own verifier, against RFC 5849's examples and over HTTP.</summary>
public sealed class OAuth1ServerTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private LoopbackOAuth1Server _server = null!;

    public async ValueTask InitializeAsync() => _server = await LoopbackOAuth1Server.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Theory]
    [InlineData("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen")]
    [InlineData("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice")]
    [InlineData("a-b.c_d~e!*'()", "a-b.c_d~e%21%2A%27%28%29")]
    [InlineData("\u2603", "%E2%98%83")]
    public void Encoding_leaves_only_unreserved_characters_and_uses_uppercase_hex(string value, string encoded) =>
        Assert.Equal(encoded, OAuth1Check.Encode(value));

    [Fact]
    public void The_base_string_of_rfc_5849_section_3_4_1_1_example_is_the_one_it_prints()
    {
        // RFC 5849 §3.4.1.1: POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b, Host: example.com, form body "c2&a3=2+q".
        var header = """OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", """
            + """oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", """
            + """oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D" """;
        var parameters = OAuth1Check.SignedParameters("b5=%3D%253D&a3=a&c%40=&a2=r%20b", OAuth1Check.ReadAuthorization(header)!, "c2&a3=2+q");

        var baseString = OAuth1Check.BaseString("POST", OAuth1Check.BaseStringUri("http", "example.com", "/request"), parameters);

        // Printed over five lines in the RFC ("line breaks are for display purposes only").
        Assert.Equal(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
            + "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_"
            + "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m"
            + "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk"
            + "9d7dh3k39sjv7",
            baseString);
    }

    [Fact]
    public void The_signature_of_rfc_5849_section_1_2_photo_request_is_the_one_it_prints()
    {
        var header = """OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", """
            + """oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", """
            + """oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D" """;
        var parameters = OAuth1Check.SignedParameters("file=vacation.jpg&size=original", OAuth1Check.ReadAuthorization(header)!, formBody: null);
        // The RFC does not say which scheme this request used. Its printed signature is the one for "http", which
        // openssl dgst -sha1 -hmac 'kd94hf93k423kf44&pfkkdhi9sl3r4s00' -binary | base64 confirms on this base string
        // (with "https" the signature would be 91yh92rtXzicpezVYjTDNzieVps=).
        var baseString = OAuth1Check.BaseString("GET", OAuth1Check.BaseStringUri("http", "photos.example.net", "/photos"), parameters);

        var signature = OAuth1Check.Signature(baseString, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00");

        Assert.Equal(
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03"
            + "%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202"
            + "%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal",
            baseString);
        Assert.Equal("MdpQcU8iPSUjWoN/UDMsK2sui9I=", signature);
    }

    [Theory]
    [InlineData("HTTP", "EXAMPLE.COM:80", "/r%20v/X", "http://example.com/r%20v/X")]
    [InlineData("https", "www.example.net:8080", "/", "https://www.example.net:8080/")]
    [InlineData("https", "example.net:443", "", "https://example.net/")]
    public void The_base_string_uri_drops_only_the_default_port(string scheme, string host, string path, string expected) =>
        Assert.Equal(expected, OAuth1Check.BaseStringUri(scheme, host, path));

    [Fact]
    public async Task A_request_token_call_is_refused_when_replayed_or_signed_with_another_secret()
    {
        var callback = ("oauth_callback", "http://127.0.0.1:1/callback?state=s");
        var signed = Authorization(HttpMethod.Post, "/oauth/request_token", LoopbackOAuth1Server.ConsumerSecret, token: null, callback);
        var forged = Authorization(HttpMethod.Post, "/oauth/request_token", "another-secret", token: null, callback);

        using var first = await SendAsync(HttpMethod.Post, "/oauth/request_token", signed);
        var issued = Form(await first.Content.ReadAsStringAsync(Ct));
        using var replayed = await SendAsync(HttpMethod.Post, "/oauth/request_token", signed);
        using var refused = await SendAsync(HttpMethod.Post, "/oauth/request_token", forged);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/x-www-form-urlencoded", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal(32, issued["oauth_token"].Length);
        Assert.NotEmpty(issued["oauth_token_secret"]);
        Assert.Equal("true", issued["oauth_callback_confirmed"]);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal("oauth_problem=nonce_used", await replayed.Content.ReadAsStringAsync(Ct));
        Assert.Equal("OAuth realm=\"loopback\"", replayed.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("oauth_problem=signature_invalid", await refused.Content.ReadAsStringAsync(Ct));
        Assert.Equal(["nonce_used", "signature_invalid"], _server.Problems);
        Assert.Equal(3, _server.RequestTokenCalls);
        Assert.Equal([signed, signed, forged], _server.AuthorizationHeaders);
    }

    [Fact]
    public async Task The_three_legs_end_in_signed_api_calls_until_the_person_revokes()
    {
        _server.UserId = "u-7";
        var requestToken = await RequestTokenAsync("http://127.0.0.1:1/callback?state=s");
        using var consent = await _http.GetAsync(new Uri(_server.BaseAddress, $"/oauth/authorize?oauth_token={requestToken.Token}"), Ct);
        var location = consent.Headers.Location!.ToString();
        var verifier = Form(new Uri(location).Query)["oauth_verifier"];
        var trade = Authorization(HttpMethod.Post, "/oauth/access_token", LoopbackOAuth1Server.ConsumerSecret, requestToken, ("oauth_verifier", verifier));
        using var traded = await SendAsync(HttpMethod.Post, "/oauth/access_token", trade);
        var access = Form(await traded.Content.ReadAsStringAsync(Ct));
        var accessToken = (access["oauth_token"], access["oauth_token_secret"]);
        var again = Authorization(HttpMethod.Post, "/oauth/access_token", LoopbackOAuth1Server.ConsumerSecret, requestToken, ("oauth_verifier", verifier));
        using var tradedAgain = await SendAsync(HttpMethod.Post, "/oauth/access_token", again);

        using var me = await SendAsync(HttpMethod.Get, "/api/me?fields=id",
            Authorization(HttpMethod.Get, "/api/me?fields=id", LoopbackOAuth1Server.ConsumerSecret, accessToken));
        const string Body = "note=a+b%21&empty=";
        using var echo = await SendAsync(HttpMethod.Post, "/api/echo?q=x%20y",
            Authorization(HttpMethod.Post, "/api/echo?q=x%20y", LoopbackOAuth1Server.ConsumerSecret, accessToken, formBody: Body), Body);
        using var tampered = await SendAsync(HttpMethod.Post, "/api/echo?q=x%20y",
            Authorization(HttpMethod.Post, "/api/echo?q=x%20y", LoopbackOAuth1Server.ConsumerSecret, accessToken, formBody: Body), "note=changed");
        _server.RevokeAccessTokens();
        using var revoked = await SendAsync(HttpMethod.Get, "/api/me",
            Authorization(HttpMethod.Get, "/api/me", LoopbackOAuth1Server.ConsumerSecret, accessToken));

        Assert.Equal(HttpStatusCode.Redirect, consent.StatusCode);
        Assert.StartsWith($"http://127.0.0.1:1/callback?state=s&oauth_token={requestToken.Token}&oauth_verifier=", location, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, traded.StatusCode);
        Assert.Equal("u-7", access["user_nsid"]);
        Assert.Equal("loopback-user", access["username"]);
        Assert.Equal(HttpStatusCode.Unauthorized, tradedAgain.StatusCode);
        Assert.Equal("""{"id":"u-7"}""", await me.Content.ReadAsStringAsync(Ct));
        using var echoed = JsonDocument.Parse(await echo.Content.ReadAsStringAsync(Ct));
        Assert.Equal("x y", echoed.RootElement.GetProperty("query").GetProperty("q").GetString());
        Assert.Equal("a b!", echoed.RootElement.GetProperty("form").GetProperty("note").GetString());
        Assert.Equal("", echoed.RootElement.GetProperty("form").GetProperty("empty").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(["token_rejected", "signature_invalid", "token_rejected"], _server.Problems);
        Assert.Equal((2, 4), (_server.AccessTokenCalls, _server.ApiCalls));
    }

    [Fact]
    public async Task A_refused_consent_sends_only_denied_back_and_the_token_cannot_be_traded()
    {
        var requestToken = await RequestTokenAsync("http://127.0.0.1:1/callback");
        _server.DenyNext = true;

        using var consent = await _http.GetAsync(new Uri(_server.BaseAddress, $"/oauth/authorize?oauth_token={requestToken.Token}"), Ct);
        using var unknown = await _http.GetAsync(new Uri(_server.BaseAddress, "/oauth/authorize?oauth_token=nope"), Ct);
        var trade = Authorization(HttpMethod.Post, "/oauth/access_token", LoopbackOAuth1Server.ConsumerSecret, requestToken, ("oauth_verifier", "v"));
        using var traded = await SendAsync(HttpMethod.Post, "/oauth/access_token", trade);

        Assert.Equal($"http://127.0.0.1:1/callback?denied={requestToken.Token}", consent.Headers.Location?.ToString());
        Assert.False(_server.DenyNext);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, traded.StatusCode);
    }

    [Fact]
    public void The_catalog_entry_passes_the_catalog_rules()
    {
        var errors = AppDefinitionRules.Validate(_server.Definition, allowLoopbackHttp: true);

        Assert.Empty(errors);
        Assert.Equal(new Uri(_server.BaseAddress, "/api").ToString(), _server.Definition.Api?.BaseUrl);
    }

    private async Task<(string Token, string Secret)> RequestTokenAsync(string callback)
    {
        using var response = await SendAsync(HttpMethod.Post, "/oauth/request_token",
            Authorization(HttpMethod.Post, "/oauth/request_token", LoopbackOAuth1Server.ConsumerSecret, token: null, ("oauth_callback", callback)));
        var issued = Form(await response.Content.ReadAsStringAsync(Ct));
        return (issued["oauth_token"], issued["oauth_token_secret"]);
    }

    /// <summary>An <c>Authorization: OAuth ...</c> header for a call to the server, with a fresh nonce and the current time.</summary>
    private string Authorization(HttpMethod method, string pathAndQuery, string consumerSecret, (string Token, string Secret)? token,
        params (string Name, string Value)[] extra) => Authorization(method, pathAndQuery, consumerSecret, token, formBody: null, extra);

    private string Authorization(HttpMethod method, string pathAndQuery, string consumerSecret, (string Token, string Secret)? token,
        string? formBody, params (string Name, string Value)[] extra)
    {
        var protocol = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["oauth_consumer_key"] = LoopbackOAuth1Server.ConsumerKey,
            ["oauth_nonce"] = Guid.NewGuid().ToString("N"),
            ["oauth_signature_method"] = "HMAC-SHA1",
            ["oauth_timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["oauth_version"] = "1.0",
        };
        if (token is { } t) protocol["oauth_token"] = t.Token;
        foreach (var (name, value) in extra) protocol[name] = value;
        var uri = new Uri(_server.BaseAddress, pathAndQuery);
        var baseString = OAuth1Check.BaseString(method.Method, OAuth1Check.BaseStringUri(uri.Scheme, uri.Authority, uri.AbsolutePath),
            OAuth1Check.SignedParameters(uri.Query, protocol, formBody));
        protocol["oauth_signature"] = OAuth1Check.Signature(baseString, consumerSecret, token?.Secret);
        return "OAuth " + string.Join(", ", protocol.Select(p => $"{OAuth1Check.Encode(p.Key)}=\"{OAuth1Check.Encode(p.Value)}\""));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string authorization, string? formBody = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_server.BaseAddress, pathAndQuery));
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (formBody is not null) request.Content = new StringContent(formBody, Encoding.UTF8, "application/x-www-form-urlencoded");
        return await _http.SendAsync(request, Ct);
    }

    private static Dictionary<string, string> Form(string encoded) =>
        OAuth1Check.FormDecode(encoded).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
