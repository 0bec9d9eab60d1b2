using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PushListener.Admin;
using PushListener.Inbox;

namespace PushListener.Feeds;

/// <summary>Wires consumer feeds: options, the store, the registry, the handler and <c>/api/feeds</c>.</summary>
internal static class FeedsServiceCollectionExtensions
{
    /// <summary>
    /// Adds feeds when enabled (by default whenever the inbox is). The feed store comes from the storage provider; the
    /// feeds are loaded by a start-up step after the store is open.
    /// </summary>
    public static IServiceCollection AddFeeds(this IServiceCollection services, IConfiguration configuration)
    {
        var inboxEnabled = configuration.GetValue(InboxOptions.SectionName + ":Enabled", true);
        services.AddOptions<FeedsOptions>().Bind(configuration.GetSection(FeedsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FeedsOptions>>(new FeedsOptionsValidator(inboxEnabled));
        if (!inboxEnabled || !(configuration.GetValue<bool?>(FeedsOptions.SectionName + ":Enabled") ?? true))
        {
            return services;
        }

        services.AddSingleton<FeedRegistry>();
        services.AddSingleton<FeedSignals>();
        services.AddSingleton<FeedAuthFilter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IStartupStep, FeedStartup>());
        services.AddHostedService<FeedRetentionService>();
        // Last but one: feeds get what the pipeline lets through, after every handler that might stop it.
        services.AddNotificationHandler<FeedHandler>(o =>
        {
            o.Name = "feeds";
            o.Order = int.MaxValue - 1;
        });
        return services;
    }

    /// <summary>Maps <c>/api/feeds</c> when feeds are on and an admin key is set (without one there is no API, as for <c>/api</c>).</summary>
    public static IEndpointRouteBuilder MapFeeds(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<FeedRegistry>() is null
            || string.IsNullOrEmpty(endpoints.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value.ApiKey))
        {
            return endpoints;
        }

        endpoints.MapGroup("/api/feeds").AddEndpointFilter<FeedAuthFilter>().WithTags("Feeds").MapFeedEndpoints();
        return endpoints;
    }

    private sealed class FeedsOptionsValidator(bool inboxEnabled) : IValidateOptions<FeedsOptions>
    {
        public ValidateOptionsResult Validate(string? name, FeedsOptions options)
        {
            var errors = options.Validate(inboxEnabled).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
