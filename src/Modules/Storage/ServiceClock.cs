using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Accounts.Orleans.Storage;

/// <summary>
/// The service's own clock: token expiry, refresh sweeps, flow lifetimes, audit and request times. It is a keyed
/// registration because Orleans' runtime reads the unkeyed <see cref="TimeProvider"/> for membership, call timeouts
/// and activation collection; a test that moves the service's clock an hour ahead must not move the runtime's.
/// </summary>
public static class ServiceClock
{
    public const string Key = "accounts";

    public static IServiceCollection AddServiceClock(this IServiceCollection services)
    {
        services.TryAddKeyedSingleton(Key, TimeProvider.System);
        return services;
    }
}
