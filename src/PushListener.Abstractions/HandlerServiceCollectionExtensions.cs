using Microsoft.Extensions.DependencyInjection;

namespace PushListener;

/// <summary>Adds handlers to the pipeline.</summary>
public static class HandlerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <typeparamref name="THandler"/> to the pipeline. One instance is created (with constructor injection from the
    /// root provider) and shared by all deliveries.
    /// </summary>
    public static IServiceCollection AddNotificationHandler<THandler>(this IServiceCollection services, Action<HandlerOptions>? configure = null, string source = "code")
        where THandler : class, INotificationHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new HandlerOptions();
        configure?.Invoke(options);
        services.AddSingleton(new HandlerRegistration(options.Name ?? typeof(THandler).Name, typeof(THandler), static sp => ActivatorUtilities.CreateInstance<THandler>(sp))
        {
            Order = options.Order,
            Filter = options.Filter,
            Timeout = options.Timeout,
            Source = source,
        });
        return services;
    }

    /// <summary>Adds an existing handler instance to the pipeline.</summary>
    public static IServiceCollection AddNotificationHandler(this IServiceCollection services, INotificationHandler handler, Action<HandlerOptions>? configure = null, string source = "code")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(handler);
        var options = new HandlerOptions();
        configure?.Invoke(options);
        services.AddSingleton(new HandlerRegistration(options.Name ?? handler.GetType().Name, handler.GetType(), _ => handler)
        {
            Order = options.Order,
            Filter = options.Filter,
            Timeout = options.Timeout,
            Source = source,
        });
        return services;
    }

    /// <summary>Adds a ready-made registration (for hosts and plugins that build their own).</summary>
    public static IServiceCollection AddNotificationHandler(this IServiceCollection services, HandlerRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(registration);
        services.AddSingleton(registration);
        return services;
    }
}
