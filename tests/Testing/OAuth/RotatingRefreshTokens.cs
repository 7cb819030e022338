using Microsoft.AspNetCore.Http;

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// The app's side of refresh-token rotation, as strict providers run it. A code exchange starts a chain; every refresh
/// spends the refresh token it presents and issues a new pair; a spent token presented again revokes the whole chain
/// (every later refresh of it fails with <c>invalid_grant</c>), unless it comes back within <see cref="ReuseGrace"/>,
/// when the app answers again with the pair it issued for it (Okta's and Auth0's reuse interval). A token is spent the
/// moment its request arrives, before the answer is written: an answer lost in transit, or held by
/// <see cref="AnswerDelay"/> until the caller dies, leaves the chain rotated all the same.
/// </summary>
public sealed class RotatingRefreshTokens(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Issued> _tokens = new(StringComparer.Ordinal);
    private readonly HashSet<int> _revoked = [];
    private readonly List<string> _presented = [];
    private int _chains;
    private TimeSpan _answerDelay;
    private Issued? _newest;

    /// <summary>The <c>expires_in</c> of every access token issued.</summary>
    public int AccessTokenLifetimeSeconds { get; init; } = 3600;

    public TimeSpan ReuseGrace { get; init; }

    /// <summary>How long each refresh answer is held after the token is spent (the wait ends early when the caller gives up).</summary>
    public TimeSpan AnswerDelay
    {
        get { lock (_gate) return _answerDelay; }
        set { lock (_gate) _answerDelay = value; }
    }

    /// <summary>Every refresh token presented, in arrival order.</summary>
    public IReadOnlyList<string> Presented
    {
        get { lock (_gate) return [.. _presented]; }
    }

    /// <summary>Refresh tokens presented more than once: each of these burned its chain unless it came within the grace.</summary>
    public IReadOnlyList<string> PresentedTwice
    {
        get { lock (_gate) return _presented.GroupBy(t => t, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray(); }
    }

    public int RevokedChains
    {
        get { lock (_gate) return _revoked.Count; }
    }

    public int Refreshes
    {
        get { lock (_gate) return _presented.Count; }
    }

    /// <summary>The refresh token issued last, by any chain.</summary>
    public string? NewestRefreshToken
    {
        get { lock (_gate) return _newest?.RefreshToken; }
    }

    /// <summary>The access token issued last, by any chain.</summary>
    public string? NewestAccessToken
    {
        get { lock (_gate) return _newest?.AccessToken; }
    }

    /// <summary>The chain's newest access token: what a caller holding a current token should have.</summary>
    public bool IsCurrentAccessToken(string accessToken)
    {
        lock (_gate) return _tokens.Values.Any(t => t.Spent is null && !_revoked.Contains(t.Chain) && t.AccessToken == accessToken);
    }

    /// <summary>The answer to one request at the token endpoint, by grant type.</summary>
    public FakeResponse Answer(RecordedRequest request)
    {
        lock (_gate)
        {
            return request.Field("grant_type") switch
            {
                "authorization_code" => Issue(++_chains, 1).Answer,
                "refresh_token" => Refresh(request.Field("refresh_token") ?? ""),
                _ => FakeResponse.Error(StatusCodes.Status400BadRequest, "unsupported_grant_type"),
            };
        }
    }

    private FakeResponse Refresh(string presented)
    {
        _presented.Add(presented);
        if (!_tokens.TryGetValue(presented, out var token)) return FakeResponse.Error(StatusCodes.Status400BadRequest, "invalid_grant", "unknown refresh token");
        if (_revoked.Contains(token.Chain)) return FakeResponse.Error(StatusCodes.Status400BadRequest, "invalid_grant", "the grant was revoked");
        var now = _time.GetUtcNow();
        if (token.Spent is { } spentAt)
        {
            if (now - spentAt <= ReuseGrace) return token.Next!.Answer with { Delay = _answerDelay };
            _revoked.Add(token.Chain);
            return FakeResponse.Error(StatusCodes.Status400BadRequest, "invalid_grant", "refresh token reuse detected; the grant was revoked");
        }
        token.Spent = now;
        token.Next = Issue(token.Chain, token.Generation + 1);
        return token.Next.Answer with { Delay = _answerDelay };
    }

    private Issued Issue(int chain, int generation)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var issued = new Issued(chain, generation, $"at-{chain}-{generation}-{suffix}", $"rt-{chain}-{generation}-{suffix}", AccessTokenLifetimeSeconds);
        _tokens[issued.RefreshToken] = issued;
        _newest = issued;
        return issued;
    }

    private sealed class Issued(int chain, int generation, string accessToken, string refreshToken, int lifetime)
    {
        public int Chain { get; } = chain;
        public int Generation { get; } = generation;
        public string AccessToken { get; } = accessToken;
        public string RefreshToken { get; } = refreshToken;
        public FakeResponse Answer { get; } = FakeResponse.Token(accessToken, lifetime, refreshToken);
        public DateTimeOffset? Spent { get; set; }
        public Issued? Next { get; set; }
    }
}
