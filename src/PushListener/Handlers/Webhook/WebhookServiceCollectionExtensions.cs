namespace PushListener.Handlers.Webhook;

/// <summary>Registers the HTTP client the <c>Webhook</c> handler type uses.</summary>
internal static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IHttpClientFactory"/> and the named client <see cref="WebhookHandler.HttpClientName"/>. Without
    /// it, each Webhook handler keeps its own client. Either way redirects are not followed (a 301/302 would turn the POST
    /// into a GET) and the handler's own per-attempt timeout applies instead of HttpClient's.
    /// </summary>
    public static IServiceCollection AddWebhookHttpClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHttpClient(WebhookHandler.HttpClientName, static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false })

            // The handler logs retries and failing targets itself; the factory's per-request lines would only add noise.
            .RemoveAllLoggers();
        return services;
    }
}
