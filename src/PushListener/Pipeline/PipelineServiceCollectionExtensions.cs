using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Endpoint;
using PushListener.Hosting;

namespace PushListener.Pipeline;

/// <summary>Wires the pipeline: built-in handler types, handler entries from configuration, the pipeline itself.</summary>
internal static class PipelineServiceCollectionExtensions
{
    public static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var type in BuiltInHandlerTypes.All())
        {
            services.AddSingleton(type);
        }

        var section = configuration.GetSection(PushListenerOptions.SectionName + ":Handlers");
        foreach (var entrySection in section.GetChildren())
        {
            var entry = new HandlerEntryOptions();
            entrySection.Bind(entry);
            if (!entry.Enabled || string.IsNullOrWhiteSpace(entry.Type))
            {
                continue;
            }

            var name = entrySection.Key;
            var typeName = entry.Type;
            var settings = entrySection.GetSection("Settings");
            services.AddSingleton(new HandlerRegistration(name, typeof(INotificationHandler), sp =>
            {
                var type = sp.GetServices<HandlerTypeDefinition>().FirstOrDefault(t => string.Equals(t.TypeName, typeName, StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidOperationException($"{entrySection.Path}:Type '{typeName}' is not a handler type.");
                return type.Create(sp, settings, name);
            })
            {
                Order = entry.Order,
                Timeout = entry.Timeout,
                Filter = entry.Filter?.ToFilter(),
                Source = "configuration",
            });
        }

        services.TryAddSingleton<NotificationPipeline>();
        services.Replace(ServiceDescriptor.Singleton<IPushProcessor, PipelinePushProcessor>());
        services.AddHostedService<PipelineStartup>();
        return services;
    }
}

/// <summary>Builds the pipeline at start-up, so a handler that cannot be created stops the service with its name.</summary>
internal sealed class PipelineStartup(NotificationPipeline pipeline) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(pipeline);
        return Task.CompletedTask;
    }
}
