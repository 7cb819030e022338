using System.Net;
using System.Text;
using Accounts.Orleans.Connections.Keys;

namespace Accounts.Orleans.Connections.Tests.Keys;

/// <summary>What a key-based app answered, as the person is told it: never anything the service sent it, in any form.</summary>
public sealed class KeyAnswerTests
{
    private static readonly Dictionary<string, string> Values = new() { ["api_key"] = "k3y/with+odd=chars", ["account"] = "acct-4242" };

    [Fact]
    public void An_answer_that_echoes_the_key_plain_url_encoded_base64_or_as_basic_credentials_is_scrubbed()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("acct-4242:k3y/with+odd=chars"));
        var header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("api:k3y/with+odd=chars"));
        var answer = $$"""{"error":"bad key k3y/with+odd=chars, {{Uri.EscapeDataString("k3y/with+odd=chars")}}, {{WebUtility.UrlEncode("k3y/with+odd=chars")}}, {{Convert.ToBase64String(Encoding.UTF8.GetBytes("k3y/with+odd=chars"))}}, {{basic}}, {{header}}"}""";
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };

        var told = KeyVerifier.Describe(response, answer, Values, [header]);

        Assert.StartsWith("HTTP 401: {\"error\":\"bad key ***", told, StringComparison.Ordinal);
        Assert.DoesNotContain("k3y", told, StringComparison.Ordinal);
        Assert.DoesNotContain("odd", told, StringComparison.Ordinal);
        Assert.DoesNotContain(basic, told, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("api:k3y/with+odd=chars")), told, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("k3y/with+odd=chars")).TrimEnd('='), told, StringComparison.Ordinal);
    }
}
