namespace Accounts.Orleans.Vault.Masking;

/// <summary>How a secret is shown to a person: never in full; the last four characters only when it is long enough that they give nothing away.</summary>
public static class SecretMask
{
    private const string Dots = "••••";

    public static string Mask(string? secret)
        => secret is { Length: >= 12 } ? Dots + secret[^4..] : Dots;
}
