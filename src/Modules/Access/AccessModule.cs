using Orleans.Hosting;

namespace Accounts.Orleans.Access;

public static class AccessModule
{
    /// <summary>API keys and the principals calls act for; the silo's edge asks <see cref="PrincipalResolver"/> on every call.</summary>
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddSingleton<PrincipalResolver>();
        services.AddServiceClock();
        return services;
    }

    /// <summary>Marks the silo's own calls as the service's (see <see cref="SystemPrincipals"/>).</summary>
    public static ISiloBuilder AddSystemPrincipals(this ISiloBuilder silo) => silo.AddOutgoingGrainCallFilter<SystemPrincipals>();
}
