namespace Accounts.Orleans.Client;

/// <summary>What a certificate of the cluster's CA lets its holder be: a silo (silo and gateway ports) or a client (gateway only).</summary>
public enum ClusterRole
{
    Silo,
    Client,
}
