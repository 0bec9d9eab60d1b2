using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Admin;

/// <summary>
/// <c>/api/subscriptions</c> and <c>/api/registrations</c>: every subscription with its health and watermarks, mark for
/// unsubscribe, and registrations with their callback tokens. Subscription ids are base64 (with '/' and '+'), so they
/// travel in the query string or body, never in the path.
/// </summary>
internal static class SubscriptionAdminEndpoints
{
    public static void MapSubscriptionAdmin(this RouteGroupBuilder api)
    {
        var subscriptions = api.MapGroup("/subscriptions").WithTags("Subscriptions");
        subscriptions.MapGet("/", async (ISubscriptionRegistry store, SubscriptionState? state, int? max, CancellationToken ct) =>
            Results.Ok(await store.ListAsync(state, Math.Clamp(max ?? 1000, 1, 100_000), ct)))
            .WithName("ListSubscriptions").WithSummary("Every subscription heard from, most recent first: state, watermarks, event counts, registration.");
        subscriptions.MapGet("/one", async (string id, ISubscriptionRegistry store, CancellationToken ct) =>
            await store.GetAsync(id, ct) is { } record ? Results.Ok(record) : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such subscription."))
            .WithName("GetSubscription").WithSummary("One subscription, by ?id=.");
        subscriptions.MapPost("/unsubscribe", async (UnsubscribeRequest request, ISubscriptionRegistry store, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(request.SubscriptionId))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "subscriptionId is required.");
            }

            return await store.MarkUnsubscribeAsync(request.SubscriptionId, ct)
                ? Results.Ok(new { request.SubscriptionId, State = SubscriptionState.Unsubscribing })
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such subscription (or it is already unsubscribed).");
        }).WithName("MarkForUnsubscribe").WithSummary("Its next push is answered Unsubscribe; then it is recorded as unsubscribed.");

        var registrations = api.MapGroup("/registrations").WithTags("Registrations");
        registrations.MapGet("/", (RegistrationCatalog catalog) => Results.Ok(catalog.All.Select(View)))
            .WithName("ListRegistrations").WithSummary("Registrations from configuration and from this API (tokens are never shown).");
        registrations.MapPut("/{name}", async (string name, RegistrationRequest request, RegistrationCatalog catalog, IRegistrationStore store, CancellationToken ct) =>
        {
            if (catalog[name] is { Source: "configuration" })
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Registration '{name}' comes from configuration; change it there.");
            }

            if (request.StatusFrequency is < 1 or > 1440)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "statusFrequency must be between 1 and 1440 minutes.");
            }

            var registration = new Registration(name, request.Mailbox, request.StatusFrequency, request.OwnerTag, request.SubscriptionIds ?? [], catalog[name]?.TokenHash, "api");
            await store.UpsertAsync(registration, ct);
            catalog.Set(registration);
            return Results.Ok(View(registration));
        }).WithName("PutRegistration").WithSummary("Creates or replaces a registration (keeps its token).");
        registrations.MapDelete("/{name}", async (string name, RegistrationCatalog catalog, IRegistrationStore store, CancellationToken ct) =>
        {
            if (catalog[name] is { Source: "configuration" })
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Registration '{name}' comes from configuration; remove it there.");
            }

            var deleted = await store.DeleteAsync(name, ct);
            catalog.Remove(name);
            return deleted ? Results.NoContent() : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No registration '{name}'.");
        }).WithName("DeleteRegistration").WithSummary("Deletes a registration; its token stops working at once.");
        registrations.MapPost("/{name}/token", async (string name, HttpContext http, RegistrationCatalog catalog, IRegistrationStore store, IOptions<PushListenerOptions> options, IOptions<SubscriptionOptions> subscriptions, CancellationToken ct) =>
        {
            if (catalog[name] is not { } existing)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No registration '{name}'.");
            }

            if (existing.Source == "configuration")
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Registration '{name}' comes from configuration; set its Token there.");
            }

            var token = CallbackToken.Create();
            var registration = existing with { TokenHash = CallbackToken.Hash(token) };
            await store.UpsertAsync(registration, ct);
            catalog.Set(registration);
            // The address Exchange reaches the service at (PublicBaseUrl, behind a load balancer), else the one this
            // request came in at: a URL naming one instance would pin the subscription to it.
            var path = CallbackToken.PathOf(options.Value.Endpoint.Path, token);
            var callback = subscriptions.Value.PublicBaseUrl is { Length: > 0 } publicBaseUrl
                ? publicBaseUrl.TrimEnd('/') + path
                : UriHelper.BuildAbsolute(http.Request.Scheme, http.Request.Host, http.Request.PathBase, path);
            // The only time the token is shown: only its hash is kept.
            return Results.Ok(new { Registration = name, Token = token, CallbackUrl = callback });
        }).WithName("CreateOrRotateToken").WithSummary("Creates a callback token, or replaces the old one (which stops working at once). Shown once.");
    }

    private static object View(Registration registration) => new
    {
        registration.Name,
        registration.Mailbox,
        registration.StatusFrequency,
        registration.OwnerTag,
        registration.SubscriptionIds,
        HasToken = registration.TokenHash is not null,
        registration.Source,
    };

    /// <summary>Body of <c>POST /api/subscriptions/unsubscribe</c>.</summary>
    internal sealed record UnsubscribeRequest(string? SubscriptionId);

    /// <summary>Body of <c>PUT /api/registrations/{name}</c>.</summary>
    internal sealed record RegistrationRequest(string? Mailbox, int? StatusFrequency, string? OwnerTag, IReadOnlyList<string>? SubscriptionIds);
}
