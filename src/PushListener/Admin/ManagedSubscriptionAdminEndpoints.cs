using Microsoft.Extensions.Options;
using PushListener.Ews;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;

namespace PushListener.Admin;

/// <summary>
/// <c>/api/managed-subscriptions</c>: the registrations whose subscriptions PushListener creates and renews, with their
/// subscription, state, last push and last error; force a resubscribe; add and remove registrations made here.
/// </summary>
internal static class ManagedSubscriptionAdminEndpoints
{
    public static void MapManagedSubscriptionAdmin(this RouteGroupBuilder api)
    {
        var managed = api.MapGroup("/managed-subscriptions").WithTags("Managed subscriptions");
        managed.MapGet("/", async (ManagedRegistrations registrations, IManagedSubscriptionStore store, ISubscriptionRegistry registry, CancellationToken ct) =>
        {
            var stored = await store.ListAsync(ct);
            var views = new List<ManagedSubscriptionView>();
            foreach (var registration in registrations.All(stored))
            {
                views.Add(await ViewAsync(registration, stored.FirstOrDefault(s => Same(s.Registration, registration.Name)), registry, ct));
            }

            return Results.Ok(views);
        }).WithName("ListManagedSubscriptions").WithSummary("Every managed registration: its subscription, state, last push and last error.");

        managed.MapGet("/{name}", async (string name, ManagedRegistrations registrations, IManagedSubscriptionStore store, ISubscriptionRegistry registry, CancellationToken ct) =>
        {
            var stored = await store.ListAsync(ct);
            return registrations.All(stored).FirstOrDefault(r => Same(r.Name, name)) is { } registration
                ? Results.Ok(await ViewAsync(registration, stored.FirstOrDefault(s => Same(s.Registration, name)), registry, ct))
                : NotFound(name);
        }).WithName("GetManagedSubscription").WithSummary("One managed registration.");

        managed.MapPost("/{name}/resubscribe", async (string name, ManagedRegistrations registrations, IManagedSubscriptionStore store, SubscriptionManager manager, CancellationToken ct) =>
        {
            var stored = await store.ListAsync(ct);
            if (!registrations.All(stored).Any(r => Same(r.Name, name)))
            {
                return NotFound(name);
            }

            if (!await store.RequestRenewAsync(name, null, KeepAliveRules.Forced, null, evenIfStopped: true, ct))
            {
                // Not subscribed yet: the next round subscribes it anyway.
                manager.Wake();
                return Results.Accepted(value: new { Registration = name, State = ManagedSubscriptionState.Pending });
            }

            manager.Wake();
            return Results.Accepted(value: new { Registration = name, State = ManagedSubscriptionState.Renewing });
        }).WithName("ForceResubscribe").WithSummary("Subscribes again at once (also a stopped registration, once its cause is fixed); the old subscription is answered Unsubscribe.");

        managed.MapPut("/{name}", async (string name, ManagedRegistrationRequest request, ManagedRegistrations registrations, IManagedSubscriptionStore store, IRegistrationStore registrationStore,
            RegistrationCatalog catalog, ISubscriptionRegistry registry, SubscriptionManager manager, IOptions<SubscriptionOptions> options, CancellationToken ct) =>
        {
            if (registrations.IsConfigured(name))
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Registration '{name}' comes from configuration; change it there.");
            }

            var errors = Validate(name, request, options.Value).ToList();
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { [name] = [.. errors] }, title: "The managed registration is not valid.");
            }

            var definition = new ManagedRegistration(name, request.Mailbox!.Trim(), request.StatusFrequency ?? ManagedRegistrations.DefaultStatusFrequency, request.OwnerTag, ManagedEwsSettings.From(request.Ews!), ManagedRegistrations.ApiSource);
            var existing = await store.GetAsync(name, ct);
            var state = existing is null
                ? new ManagedSubscription { Registration = name, State = ManagedSubscriptionState.Pending, CallbackToken = CallbackToken.Create(), Definition = definition }
                : existing with { Definition = definition };
            await store.SaveAsync(state, [], ct);
            var registration = new Registration(name, definition.Mailbox, definition.StatusFrequency, definition.OwnerTag, catalog[name]?.SubscriptionIds ?? [], CallbackToken.Hash(state.CallbackToken), ManagedRegistrations.ApiSource);
            await registrationStore.UpsertAsync(registration, ct);
            catalog.Set(registration);
            manager.Wake();
            return Results.Ok(await ViewAsync(definition, state, registry, ct));
        }).WithName("PutManagedSubscription").WithSummary("Adds (or changes) a managed registration; PushListener subscribes at once. The credential is named, never sent.");

        managed.MapDelete("/{name}", async (string name, ManagedRegistrations registrations, IManagedSubscriptionStore store, IRegistrationStore registrationStore,
            RegistrationCatalog catalog, ISubscriptionRegistry registry, TimeProvider time, CancellationToken ct) =>
        {
            if (registrations.IsConfigured(name))
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Registration '{name}' comes from configuration; remove it there.");
            }

            var existing = await store.GetAsync(name, ct);
            if (existing?.Definition is null)
            {
                return NotFound(name);
            }

            // Exchange stops at the subscription's next push, which is answered Unsubscribe.
            if (existing.SubscriptionId is { } id && !await registry.MarkUnsubscribeAsync(id, ct))
            {
                await registry.RecordRefusedAsync(id, null, time.GetUtcNow(), ct);
            }

            await store.DeleteAsync(name, ct);
            await registrationStore.DeleteAsync(name, ct);
            catalog.Remove(name);
            return Results.NoContent();
        }).WithName("DeleteManagedSubscription").WithSummary("Removes a managed registration made through this API; its subscription is answered Unsubscribe at its next push.");
    }

    private static IEnumerable<string> Validate(string name, ManagedRegistrationRequest request, SubscriptionOptions options)
    {
        if (!ManagedRegistrationRules.IsMailbox(request.Mailbox))
        {
            yield return $"mailbox must be the SMTP address of the mailbox (got '{request.Mailbox}').";
        }

        if (request.StatusFrequency is < 1 or > 1440)
        {
            yield return "statusFrequency must be between 1 and 1440 minutes.";
        }

        if (request.Ews is null)
        {
            yield return "ews is required: { url, credential, folders?, allFolders?, eventTypes?, serverVersion? }.";
            yield break;
        }

        foreach (var error in request.Ews.Validate("ews"))
        {
            yield return error;
        }

        if (request.Ews.Credential is { Length: > 0 } credential)
        {
            if (!options.Credentials.TryGetValue(credential, out var signIn))
            {
                yield return $"ews:credential names '{credential}', which is not under {SubscriptionOptions.SectionName}:Credentials (credentials come from configuration only).";
            }
            else if (ManagedRegistrationRules.ImpersonationProblem(signIn, request.Mailbox) is { } problem)
            {
                yield return $"ews:credential '{credential}' does not impersonate: {problem}";
            }
        }

        foreach (var error in ManagedRegistrationRules.ValidatePublicBaseUrl(options.PublicBaseUrl))
        {
            yield return error;
        }

        if (name.Length > 200 || name.Any(char.IsControl))
        {
            yield return "The name must be at most 200 characters, without control characters.";
        }
    }

    private static async Task<ManagedSubscriptionView> ViewAsync(ManagedRegistration registration, ManagedSubscription? state, ISubscriptionRegistry registry, CancellationToken ct)
    {
        var heard = state?.SubscriptionId is { } id ? await registry.GetAsync(id, ct) : null;
        var ews = registration.Ews;
        return new ManagedSubscriptionView(
            registration.Name,
            registration.Source,
            registration.Mailbox,
            registration.StatusFrequency,
            registration.OwnerTag,
            state?.State ?? ManagedSubscriptionState.Pending,
            state?.SubscriptionId,
            state?.SubscribedAt,
            heard?.LastSeen ?? state?.LastPushAt,
            heard?.LastWatermark ?? state?.Watermark,
            state?.LastError,
            state?.LastErrorAt,
            state?.FailedAttempts ?? 0,
            state?.NextAttemptAt,
            state?.Generation ?? 0,
            new ManagedEwsView(ews.Url.AbsoluteUri, ews.Folders, ews.AllFolders, ews.EventTypes, ews.Credential, ews.ServerVersion));
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static IResult NotFound(string name) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No managed registration '{name}'.");

    /// <summary>Body of <c>PUT /api/managed-subscriptions/{name}</c>.</summary>
    internal sealed record ManagedRegistrationRequest(string? Mailbox, int? StatusFrequency, string? OwnerTag, EwsRegistrationOptions? Ews);
}
