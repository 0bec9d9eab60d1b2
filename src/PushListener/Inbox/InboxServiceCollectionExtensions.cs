using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PushListener.Endpoint;
using PushListener.Hosting;
using PushListener.Inbox.Sqlite;

namespace PushListener.Inbox;

/// <summary>Wires the durable inbox (when enabled) in front of the pipeline.</summary>
internal static class InboxServiceCollectionExtensions
{
    public static IServiceCollection AddInbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<InboxOptions>(configuration, InboxOptions.SectionName);
        var enabled = configuration.GetValue(InboxOptions.SectionName + ":Enabled", true);
        if (!enabled)
        {
            return services;
        }

        services.TryAddSingleton<IInboxStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InboxOptions>>().Value;
            var root = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
            return new SqliteInboxStore(Path.Combine(Path.GetFullPath(options.DataFolder, root), "inbox.db"), options, sp.GetRequiredService<TimeProvider>(), sp.GetService<Telemetry.PushListenerMetrics>());
        });
        services.TryAddSingleton<ReplyWaiters>();
        services.TryAddSingleton<StickyVotes>();
        services.TryAddSingleton<InboxDispatcher>();
        services.AddHostedService<InboxStartup>();
        services.Replace(ServiceDescriptor.Singleton<IPushProcessor, InboxPushProcessor>());
        return services;
    }

    /// <summary>
    /// The dispatcher and the cleanup. Registered after everything that must be loaded before recovered entries are
    /// delivered (hosted services start in registration order).
    /// </summary>
    public static IServiceCollection AddInboxWorkers(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue(InboxOptions.SectionName + ":Enabled", true))
        {
            services.AddHostedService(sp => sp.GetRequiredService<InboxDispatcher>());
            services.AddHostedService<InboxRetentionService>();
            services.AddHostedService<InboxCheckpointService>();
        }

        return services;
    }
}
