using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Endpoint;
using PushListener.Hosting;
using PushListener.Storage;

namespace PushListener.Inbox;

/// <summary>Wires the durable inbox (when enabled) in front of the pipeline; the role stores come from the storage provider.</summary>
internal static class InboxServiceCollectionExtensions
{
    public static IPushListenerBuilder AddInbox(this IPushListenerBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<InboxOptions>(builder.Configuration, InboxOptions.SectionName);
        services.AddValidatedOptions<StorageOptions>(builder.Configuration, StorageOptions.SectionName);
        if (!builder.Configuration.GetValue(InboxOptions.SectionName + ":Enabled", true))
        {
            return builder;
        }

        StorageProviders.UseConfigured(builder);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupStep, StorageStartupStep>());
        services.TryAddSingleton<ReplyDecision>();
        services.TryAddSingleton<ParsedMessageCache>();
        services.TryAddSingleton<InboxDispatcher>();
        services.Replace(ServiceDescriptor.Singleton<IPushProcessor, InboxPushProcessor>());
        services.AddHostedService(static sp => sp.GetRequiredService<InboxDispatcher>());
        services.AddHostedService<InboxRetentionService>();
        return builder;
    }
}
