using System.Security.Cryptography;
using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Catalog;
using BenchmarkDotNet.Attributes;

namespace Accounts.Orleans.Signing.Benchmarks;

/// <summary>
/// What signing adds to one call: an OAuth 1.0a header for a proxied call (per call), and a JWT-bearer assertion (per
/// token request, so once an hour per account), with the RSA and EC keys service accounts come with.
/// </summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly Uri Call = new("https://api.flickr.com/services/rest?method=flickr.photos.search&user_id=21207%40N00&per_page=100&format=json");
    private static readonly OAuth1Signature.Signer Signer = new("9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d", "0f1e2d3c4b5a6978", "72157720841234567-0a1b2c3d4e5f6a7b", "1a2b3c4d5e6f7a8b");
    private AppDefinition _rsaApp = null!;
    private AppDefinition _ecApp = null!;
    private Dictionary<string, string> _rsaFields = null!;
    private Dictionary<string, string> _ecFields = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        (_rsaApp, _rsaFields) = (App("RS256"), Fields(rsa.ExportPkcs8PrivateKeyPem()));
        (_ecApp, _ecFields) = (App("ES256"), Fields(ec.ExportPkcs8PrivateKeyPem()));
    }

    [Benchmark]
    public string OAuth1Header() => OAuth1Signature.Authorize("GET", Call, [], Signer, [], OAuth1Signature.NewNonce(), Now);

    [Benchmark]
    public string JwtAssertionRs256() => JwtAssertion.Create(_rsaApp, _rsaFields, Now);

    [Benchmark]
    public string JwtAssertionEs256() => JwtAssertion.Create(_ecApp, _ecFields, Now);

    private static AppDefinition App(string algorithm) => new()
    {
        Slug = "bench_service",
        Name = "Bench service account",
        Categories = ["cloud"],
        DocsUrl = "https://docs.bench.example",
        AuthType = AuthType.JwtBearer,
        OAuth = new OAuthSettings
        {
            TokenUrl = "https://oauth2.bench.example/token",
            DefaultScopes = ["https://www.googleapis.com/auth/cloud-platform"],
            Assertion = new JwtAssertionSettings { Issuer = "{{client_email}}", Algorithm = algorithm, KeyIdField = "private_key_id", ScopesInAssertion = true },
        },
        Fields =
        [
            new KeyField { Name = "client_email", Label = "E-mail" },
            new KeyField { Name = "private_key_id", Label = "Key id" },
            new KeyField { Name = "private_key", Label = "Key", Secret = true, Format = KeyFieldFormat.PrivateKey },
        ],
    };

    private static Dictionary<string, string> Fields(string pem) => new()
    {
        ["client_email"] = "bench@project.iam.gserviceaccount.com",
        ["private_key_id"] = "4f2c1e0d9b8a",
        ["private_key"] = pem,
    };
}
