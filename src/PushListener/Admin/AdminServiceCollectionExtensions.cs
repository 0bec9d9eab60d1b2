using Microsoft.Extensions.Options;
using PushListener.Inbox;

namespace PushListener.Admin;

/// <summary>Wires the admin API: options, the key filter, and the routes under <c>/api</c> (only when a key is set).</summary>
internal static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>>(new AdminOptionsValidator());
        services.AddSingleton<ApiKeyFilter>();
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
        if (endpoints.ServiceProvider.GetService<IInboxStore>() is not null)
        {
            api.MapInboxAdmin();
        }

        return endpoints;
    }

    private sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
    {
        public ValidateOptionsResult Validate(string? name, AdminOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
