using PushListener.Inbox;

namespace PushListener.Admin;

/// <summary><c>/api/inbox</c> and <c>/api/deadletters</c>: inbox depth, handler failures, dead letters (list, replay, purge).</summary>
internal static class InboxAdminEndpoints
{
    public static void MapInboxAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/inbox", async (IInboxStore store, InboxDispatcher dispatcher, CancellationToken ct) =>
        {
            var stats = await store.GetStatsAsync(ct);
            return Results.Ok(new { stats.Pending, InMemory = dispatcher.InMemory, stats.Done, stats.DeadLetters, stats.StickyUnsubscribes, stats.Handlers });
        }).WithName("GetInbox").WithSummary("Inbox depth, dead letters and per-handler failure counts.");

        var deadLetters = api.MapGroup("/deadletters").WithTags("Dead letters");
        deadLetters.MapGet("/", async (IInboxStore store, int? max, CancellationToken ct) =>
            Results.Ok(await store.ListDeadLettersAsync(Math.Clamp(max ?? 100, 1, 10_000), ct)))
            .WithName("ListDeadLetters").WithSummary("Dead letters, oldest first, with their failing handlers and last error.");
        deadLetters.MapPost("/{id:long}/replay", async (long id, IInboxStore store, InboxDispatcher dispatcher, CancellationToken ct) =>
            await Replay(store, dispatcher, id, ct)).WithName("ReplayDeadLetter").WithSummary("Delivers one dead letter again (to the handlers that had failed).");
        deadLetters.MapPost("/replay", async (IInboxStore store, InboxDispatcher dispatcher, CancellationToken ct) =>
            await Replay(store, dispatcher, null, ct)).WithName("ReplayAllDeadLetters").WithSummary("Delivers every dead letter again.");
        deadLetters.MapDelete("/{id:long}", async (long id, IInboxStore store, CancellationToken ct) =>
        {
            var purged = await store.PurgeDeadLettersAsync(id, ct);
            return purged == 0 ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No dead letter {id}.") : Results.Ok(new { Purged = purged });
        }).WithName("PurgeDeadLetter").WithSummary("Deletes one dead letter.");
        deadLetters.MapDelete("/", async (IInboxStore store, CancellationToken ct) =>
            Results.Ok(new { Purged = await store.PurgeDeadLettersAsync(null, ct) }))
            .WithName("PurgeAllDeadLetters").WithSummary("Deletes every dead letter.");
    }

    private static async Task<IResult> Replay(IInboxStore store, InboxDispatcher dispatcher, long? id, CancellationToken ct)
    {
        var replayed = await store.ReplayDeadLettersAsync(id, ct);
        if (replayed == 0 && id is not null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No dead letter {id}.");
        }

        dispatcher.NotifyStoreChanged();
        return Results.Ok(new { Replayed = replayed });
    }
}
