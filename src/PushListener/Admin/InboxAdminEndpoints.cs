using PushListener.Inbox;

namespace PushListener.Admin;

/// <summary><c>/api/inbox</c> and <c>/api/deadletters</c>: inbox depth, handler failures, dead letters (list, replay, purge).</summary>
internal static class InboxAdminEndpoints
{
    public static void MapInboxAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/inbox", async (IEntryLog entries, IStickyVoteStore votes, InboxDispatcher dispatcher, CancellationToken ct) =>
        {
            var stats = await entries.GetStatsAsync(ct);
            var sticky = await votes.ListAsync(ct);
            return Results.Ok(new
            {
                stats.Pending,
                stats.InFlight,
                InMemory = dispatcher.InMemory,
                stats.Done,
                DeadLetters = stats.DeadLettered,
                stats.OldestPendingReceivedAt,
                StickyUnsubscribes = sticky.Count,
                stats.Handlers,
            });
        }).WithName("GetInbox").WithSummary("Inbox depth (pending, in flight, dead letters, the oldest waiting entry) and per-handler failure counts.");

        var deadLetters = api.MapGroup("/deadletters").WithTags("Dead letters");
        deadLetters.MapGet("/", async (IDeadLetterStore store, int? max, CancellationToken ct) =>
            Results.Ok(await store.ListAsync(Math.Clamp(max ?? 100, 1, 10_000), ct)))
            .WithName("ListDeadLetters").WithSummary("Dead letters, oldest first, with their failing handlers and last error.");
        deadLetters.MapPost("/{id:long}/replay", async (long id, IDeadLetterStore store, IDispatchNotifier notifier, CancellationToken ct) =>
            await Replay(store, notifier, id, ct)).WithName("ReplayDeadLetter").WithSummary("Delivers one dead letter again (to the handlers that had failed).");
        deadLetters.MapPost("/replay", async (IDeadLetterStore store, IDispatchNotifier notifier, CancellationToken ct) =>
            await Replay(store, notifier, null, ct)).WithName("ReplayAllDeadLetters").WithSummary("Delivers every dead letter again.");
        deadLetters.MapDelete("/{id:long}", async (long id, IDeadLetterStore store, CancellationToken ct) =>
        {
            var purged = await store.PurgeAsync(id, ct);
            return purged == 0 ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No dead letter {id}.") : Results.Ok(new { Purged = purged });
        }).WithName("PurgeDeadLetter").WithSummary("Deletes one dead letter.");
        deadLetters.MapDelete("/", async (IDeadLetterStore store, CancellationToken ct) =>
            Results.Ok(new { Purged = await store.PurgeAsync(null, ct) }))
            .WithName("PurgeAllDeadLetters").WithSummary("Deletes every dead letter.");
    }

    private static async Task<IResult> Replay(IDeadLetterStore store, IDispatchNotifier notifier, long? id, CancellationToken ct)
    {
        var replayed = await store.ReplayAsync(id, ct);
        if (replayed == 0 && id is not null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No dead letter {id}.");
        }

        notifier.Notify();
        return Results.Ok(new { Replayed = replayed });
    }
}
