namespace PushListener.Storage;

/// <summary>How a provider registers a role store: replacing whatever another provider registered for the role.</summary>
internal static class StorageRegistration
{
    public static void Replace<TRole>(IServiceCollection services, Func<IServiceProvider, TRole> factory)
        where TRole : class
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(TRole))
            {
                services.RemoveAt(i);
            }
        }

        services.AddSingleton(factory);
    }
}
