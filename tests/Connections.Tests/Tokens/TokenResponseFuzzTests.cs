using System.Text;
using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Catalog;
using static Accounts.Orleans.Connections.Tests.Tokens.TokenEndpoint;

namespace Accounts.Orleans.Connections.Tests.Tokens;

/// <summary>The app is outside our control: whatever it sends, the parser answers instead of throwing.</summary>
public sealed class TokenResponseFuzzTests
{
    private const string SentRefreshToken = "rt-we-sent-0123456789";

    private static readonly int[] Statuses = [200, 201, 400, 401, 403, 302, 429, 503, 0, 999];
    private static readonly string?[] ContentTypes = [TokenEndpoint.Json, TokenEndpoint.Form, "text/html", "text/plain", null, "\u0000;;"];
    private static readonly TokenResponseQuirks?[] Quirks =
    [
        null,
        new() { AccessTokenPath = "authed_user.access_token", IdentityPath = "authed_user.id", ScopeSeparator = "," },
        new() { AccessTokenPath = "a..b", RefreshTokenPath = "0.1", ScopePath = ".", IdentityPath = "x.99999999999", DefaultExpiresInSeconds = int.MaxValue },
    ];

    [Fact]
    public void Random_bytes_never_make_the_parser_throw()
    {
        var random = new Random(20250301);
        for (var i = 0; i < 1000; i++)
        {
            var body = new byte[random.Next(0, 600)];
            random.NextBytes(body);

            AssertAnswered(Response(random, body), random);
        }
    }

    [Fact]
    public void Damaged_token_responses_never_make_the_parser_throw()
    {
        // Random bytes are almost never JSON; flipping a few bytes of real answers reaches the deeper paths.
        string[] seeds =
        [
            """{"access_token":"at-1","token_type":"bearer","expires_in":"3600","refresh_token":"rt-2","scope":["a","b"]}""",
            """{"ok":true,"authed_user":{"id":123,"access_token":"xoxp-1","scope":"a,b","expires_in":1e999}}""",
            """{"error":"invalid_grant","error_description":"revoked \u0000 rt-we-sent-0123456789"}""",
            "access_token=gho_1&scope=repo%2Cgist&token_type=bearer&error=%FF%FE",
        ];
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var body = Encoding.UTF8.GetBytes(seeds[i % seeds.Length]);
            for (var flips = random.Next(1, 5); flips > 0; flips--)
                body[random.Next(body.Length)] = (byte)random.Next(256);

            AssertAnswered(Response(random, body), random);
        }
    }

    private static TokenHttpResponse Response(Random random, byte[] body)
        => new(
            Statuses[random.Next(Statuses.Length)],
            ContentTypes[random.Next(ContentTypes.Length)],
            body,
            random.Next(3) == 0 ? TimeSpan.FromSeconds(random.Next(-5, 5000)) : null,
            Truncated: random.Next(20) == 0);

    private static void AssertAnswered(TokenHttpResponse response, Random random)
    {
        var result = TokenResponseParser.Parse(response, Quirks[random.Next(Quirks.Length)], random.Next(2) == 0 ? " " : "", Now, SentRefreshToken);

        if (result is TokenResult.Failed { Failure: var failure })
        {
            Assert.NotEmpty(failure.Reason);
            Assert.DoesNotContain(SentRefreshToken, failure.Reason, StringComparison.Ordinal);
            Assert.All(failure.Reason, c => Assert.InRange(c, ' ', '~'));
        }
    }
}
