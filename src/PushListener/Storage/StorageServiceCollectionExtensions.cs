using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Hosting;
using PushListener.Storage.PostgreSql;

namespace PushListener.Storage;

/// <summary>Wires the storage provider chosen by <c>PushListener:Storage:Provider</c>.</summary>
internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions>(configuration, StorageOptions.SectionName)
            .Configure(options => options.ConnectionString = configuration.GetConnectionString(StorageOptions.ConnectionStringName));

        if (configuration.GetValue(StorageOptions.SectionName + ":Provider", StorageProvider.Sqlite) != StorageProvider.PostgreSql)
        {
            services.TryAddSingleton<ILeadership, SingleInstanceLeadership>();
            return services;
        }

        services.TryAddSingleton<PostgreSqlDatabase>();
        services.TryAddSingleton<PostgreSqlMigrator>();
        services.TryAddSingleton<PostgreSqlNotifier>();
        services.TryAddSingleton<PostgreSqlLeadership>();
        services.TryAddSingleton<ILeadership>(sp => sp.GetRequiredService<PostgreSqlLeadership>());
        services.AddHostedService<PostgreSqlStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgreSqlNotifier>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgreSqlLeadership>());
        services.AddHealthChecks().AddCheck<PostgreSqlHealthCheck>("postgresql");
        return services;
    }
}
