using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Inbox;

namespace PushListener.Admin;

/// <summary>Wires the admin API: options, the key filter, and the routes under <c>/api</c> (only when a key is set).</summary>
internal static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AdminOptions>(configuration, AdminOptions.SectionName);
        services.AddSingleton<ApiKeyFilter>();
        services.AddOpenApi("admin", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "PushListener admin API";
            document.Info.Description = "Inbox, dead letters, subscriptions and registrations. Send the key from PushListener:Admin:ApiKey in the X-Api-Key header.";
            return Task.CompletedTask;
        }));
        // Enums as names (state=Silent), in answers and in query strings.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return services;
    }

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value;
        if (string.IsNullOrEmpty(options.ApiKey))
        {
            return endpoints;
        }

        var api = endpoints.MapGroup("/api").AddEndpointFilter<ApiKeyFilter>().WithTags("Admin");
        if (endpoints.ServiceProvider.GetService<IEntryLog>() is not null)
        {
            api.MapInboxAdmin();
            api.MapSubscriptionAdmin();
        }

        if (endpoints.ServiceProvider.GetService<Security.RejectionCounter>() is not null)
        {
            api.MapGet("/senders/rejections", (Security.RejectionCounter counter) => Results.Ok(counter.Snapshot()))
                .WithName("GetSenderRejections").WithTags("Senders")
                .WithSummary("Requests refused by the allow-list, the rate limit or the size limit: totals by reason and the sources seen recently.");
        }

        api.MapOpenApi("/openapi/{documentName}.json");

        return endpoints;
    }
}
