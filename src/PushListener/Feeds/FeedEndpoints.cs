using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PushListener.Pipeline;

namespace PushListener.Feeds;

/// <summary>
/// <c>/api/feeds</c>: register (RopRegisterNotification), fetch with a budget (RopNotify, with the pending flags of
/// RopPending), acknowledge, stream, release (RopRelease). See docs/feeds.md.
/// </summary>
internal static partial class FeedEndpoints
{
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    public static void MapFeedEndpoints(this RouteGroupBuilder feeds)
    {
        feeds.MapPost("/", RegisterAsync).WithName("RegisterFeed").WithSummary("Creates a feed with a scope (admin key); answers its handle and consumer key (shown once).");
        feeds.MapGet("/", List).WithName("ListFeeds").WithSummary("Every feed (admin key) or the feeds of the caller's session (consumer key).");
        feeds.MapGet("/{handle}", GetAsync).WithName("GetFeed").WithSummary("A feed's scope, retention and counters.");
        feeds.MapGet("/{handle}/notifications", FetchAsync).WithName("FetchFeed")
            .WithSummary("The oldest pending entries that fit maxBytes and max, leased for the visibility timeout; long-polls up to wait seconds when none is pending.");
        feeds.MapPost("/{handle}/ack", AcknowledgeAsync).WithName("AcknowledgeFeed").WithSummary("Acknowledges every handed-out entry up to the cursor.");
        feeds.MapGet("/{handle}/stream", StreamAsync).WithName("StreamFeed").WithSummary("Server-Sent Events; reconnecting with Last-Event-ID acknowledges up to it.");
        feeds.MapDelete("/{handle}", ReleaseAsync).WithName("ReleaseFeed").WithSummary("Stops collection and deletes everything the feed holds.");
    }

    private static async Task<IResult> RegisterAsync(FeedRegisterRequest? request, HttpContext http, FeedRegistry registry, IFeedStore store, IOptions<FeedsOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!FeedCaller.Of(http).IsAdmin)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Registering a feed needs the admin key.");
        }

        request ??= new FeedRegisterRequest(null, null, null, null);
        var o = options.Value;
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The registration is not valid.");
        }

        var handle = FeedKeys.NewHandle();
        var key = FeedKeys.NewConsumerKey();
        var feed = new FeedInfo(
            handle,
            request.Session ?? handle,
            request.Name,
            ToScope(request.Scope),
            FeedKeys.Hash(key),
            time.GetUtcNow(),
            request.Retention?.MaxAge ?? o.Retention,
            request.Retention?.MaxEntries ?? o.MaxEntries);
        if (!await store.CreateAsync(feed, o.MaxFeeds, cancellationToken))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"{FeedsOptions.SectionName}:MaxFeeds ({o.MaxFeeds}) feeds exist already; release one first.");
        }

        registry.Add(feed);
        Registered(loggers.CreateLogger(typeof(FeedEndpoints)), handle, feed.Session);
        // The only time the key is shown: only its hash is kept.
        return Results.Created($"/api/feeds/{handle}", new { feed.Handle, feed.Session, ConsumerKey = key, Feed = View(feed, null) });
    }

    private static IResult List(HttpContext http, FeedRegistry registry)
    {
        var caller = FeedCaller.Of(http);
        return Results.Ok(registry.Active.Where(caller.CanUse).Select(f => View(f, null)));
    }

    private static async Task<IResult> GetAsync(string handle, HttpContext http, FeedRegistry registry, IFeedStore store, CancellationToken cancellationToken)
    {
        if (Find(http, registry, handle) is not { } feed)
        {
            return NotFound(handle);
        }

        return await store.GetCountersAsync(handle, cancellationToken) is { } counters ? Results.Ok(View(feed, counters)) : NotFound(handle);
    }

    private static async Task<IResult> FetchAsync(
        string handle,
        int? maxBytes,
        int? max,
        double? wait,
        long? ack,
        HttpContext http,
        FeedRegistry registry,
        IFeedStore store,
        FeedSignals signals,
        IOptions<FeedsOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        if (Find(http, registry, handle) is not { } feed)
        {
            return NotFound(handle);
        }

        var o = options.Value;
        if (maxBytes is < 1 || max is < 1 || wait is < 0 || (wait is { } w && !double.IsFinite(w)))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "maxBytes and max must be at least 1, wait (seconds) at least 0.");
        }

        var budget = Math.Min(maxBytes ?? o.DefaultMaxBytes, o.MaxBytesLimit);
        var count = Math.Min(max ?? o.MaxBatch, o.MaxBatch);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(wait ?? 0, o.MaxWait.TotalSeconds));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var acknowledged = 0;
        var pendingAck = ack;
        while (true)
        {
            // Taken before looking, so an entry committed between the look and the wait still wakes this poll.
            var signal = signals.Current(feed.Session);
            var result = await store.FetchAsync(handle, feed.Session, pendingAck, budget, count, o.VisibilityTimeout, http.RequestAborted);
            if (result is null)
            {
                return NotFound(handle);
            }

            acknowledged += result.Acknowledged;
            pendingAck = null;
            var now = time.GetUtcNow();
            // Something pending on a linked handle also ends the wait: the consumer should go and fetch it.
            if (result.Entries.Count > 0 || result.PendingHandles.Count > 0 || now >= deadline || stop.IsCancellationRequested)
            {
                return Results.Bytes(FeedJson.Batch(handle, result with { Acknowledged = acknowledged }), "application/json");
            }

            var delay = deadline - now;
            if (result.NextVisibleAt is { } visible && visible - now < delay)
            {
                // Leased entries come back when their lease ends: wake then, not at the end of the wait.
                delay = visible - now > TimeSpan.FromMilliseconds(10) ? visible - now : TimeSpan.FromMilliseconds(10);
            }

            try
            {
                await signal.WaitAsync(delay, time, stop.Token);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                // Shutting down: answer with what there is.
            }
        }
    }

    private static async Task<IResult> AcknowledgeAsync(string handle, FeedAckRequest? request, HttpContext http, FeedRegistry registry, IFeedStore store, CancellationToken cancellationToken)
    {
        if (Find(http, registry, handle) is not { } feed)
        {
            return NotFound(handle);
        }

        if (request?.Cursor is not { } cursor)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "cursor is required: the cursor of the last batch you processed.");
        }

        return await store.AcknowledgeAsync(feed.Handle, cursor, cancellationToken) is { } acknowledged
            ? Results.Ok(new { Handle = handle, Cursor = cursor, Acknowledged = acknowledged })
            : NotFound(handle);
    }

    private static async Task StreamAsync(
        string handle,
        string? lastEventId,
        HttpContext http,
        FeedRegistry registry,
        IFeedStore store,
        FeedSignals signals,
        IOptions<FeedsOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        if (Find(http, registry, handle) is not { } feed)
        {
            await NotFound(handle).ExecuteAsync(http);
            return;
        }

        // EventSource sends Last-Event-ID when it reconnects; ?lastEventId= serves clients that cannot set headers.
        var resume = http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : lastEventId;
        long after = 0;
        if (!string.IsNullOrEmpty(resume) && !long.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Last-Event-ID must be an event id this stream sent.").ExecuteAsync(http);
            return;
        }

        var o = options.Value;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            if (after > 0 && await store.AcknowledgeAsync(handle, after, stop.Token) is null)
            {
                await NotFound(handle).ExecuteAsync(http);
                return;
            }

            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            // Reverse proxies (nginx) must not buffer the stream.
            http.Response.Headers["X-Accel-Buffering"] = "no";
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var body = http.Response.Body;
            await body.WriteAsync("retry: 2000\n\n"u8.ToArray(), stop.Token);
            await body.FlushAsync(stop.Token);
            while (!stop.IsCancellationRequested)
            {
                var signal = signals.Current(feed.Session);
                var batch = await store.StreamAsync(handle, after, o.DefaultMaxBytes, o.MaxBatch, o.VisibilityTimeout, stop.Token);
                if (batch is null)
                {
                    await body.WriteAsync(Encoding.UTF8.GetBytes($"event: released\ndata: {{\"handle\":\"{handle}\"}}\n\n"), stop.Token);
                    await body.FlushAsync(stop.Token);
                    return;
                }

                if (batch.Count > 0)
                {
                    foreach (var entry in batch)
                    {
                        // Entry JSON is one line (no indentation; newlines inside strings are escaped), so one data: line.
                        await body.WriteAsync(Encoding.ASCII.GetBytes($"id: {entry.Seq.ToString(CultureInfo.InvariantCulture)}\ndata: "), stop.Token);
                        await body.WriteAsync(entry.Json, stop.Token);
                        await body.WriteAsync("\n\n"u8.ToArray(), stop.Token);
                        after = Math.Max(after, entry.Seq);
                    }

                    await body.FlushAsync(stop.Token);
                    continue;
                }

                try
                {
                    await signal.WaitAsync(o.StreamHeartbeat, time, stop.Token);
                }
                catch (TimeoutException)
                {
                    await body.WriteAsync(KeepAlive, stop.Token);
                    await body.FlushAsync(stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the service is stopping: what was sent stays leased until acknowledged.
        }
    }

    private static async Task<IResult> ReleaseAsync(string handle, HttpContext http, FeedRegistry registry, IFeedStore store, FeedSignals signals, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (Find(http, registry, handle) is not { } feed)
        {
            return NotFound(handle);
        }

        await store.ReleaseAsync(handle, cancellationToken);
        registry.Remove(handle);
        // Waiting polls and streams of the session look again and find the feed gone.
        signals.Pulse(feed.Session);
        Released(loggers.CreateLogger(typeof(FeedEndpoints)), handle, feed.Session);
        return Results.NoContent();
    }

    private static FeedInfo? Find(HttpContext http, FeedRegistry registry, string handle) =>
        registry.Get(handle) is { } feed && FeedCaller.Of(http).CanUse(feed) ? feed : null;

    // Another session's feed answers exactly like a missing one, so handles cannot be probed with a consumer key.
    private static IResult NotFound(string handle) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No feed '{handle}'.");

    private static object View(FeedInfo feed, FeedCounters? counters) => new
    {
        feed.Handle,
        feed.Session,
        feed.Name,
        feed.Scope,
        Retention = new { feed.MaxAge, feed.MaxEntries },
        feed.CreatedAt,
        Counters = counters,
    };

    private static FeedScope ToScope(FeedScopeRequest? scope) => scope is null
        ? new FeedScope()
        : new FeedScope
        {
            SubscriptionIds = scope.SubscriptionIds?.ToArray(),
            Registrations = scope.Registrations?.ToArray(),
            Mailboxes = scope.Mailboxes?.ToArray(),
            EventKinds = scope.EventKinds?.Select(k => FilterOptions.ParseEventKind(k)!.Value.ToString()).Distinct(StringComparer.Ordinal).ToArray(),
            FolderIds = scope.FolderIds?.ToArray(),
            ItemIds = scope.ItemIds?.ToArray(),
            IncludeErrors = scope.IncludeErrors ?? true,
            IncludeLifecycle = scope.IncludeLifecycle ?? false,
        };

    private static Dictionary<string, string[]> Validate(FeedRegisterRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Session is { } session && (session.Length is 0 or > FeedLimits.MaxSessionLength || session.Any(char.IsControl)))
        {
            errors["session"] = [$"session must be 1 to {FeedLimits.MaxSessionLength} characters without control characters."];
        }

        if (request.Name is { Length: > 200 })
        {
            errors["name"] = ["name must be at most 200 characters."];
        }

        if (request.Scope is { } scope)
        {
            CheckList(errors, "scope.subscriptionIds", scope.SubscriptionIds);
            CheckList(errors, "scope.registrations", scope.Registrations);
            CheckList(errors, "scope.mailboxes", scope.Mailboxes);
            CheckList(errors, "scope.folderIds", scope.FolderIds);
            CheckList(errors, "scope.itemIds", scope.ItemIds);
            CheckList(errors, "scope.eventKinds", scope.EventKinds);
            var unknown = scope.EventKinds?.Where(k => FilterOptions.ParseEventKind(k) is null).ToList();
            if (unknown is { Count: > 0 })
            {
                errors["scope.eventKinds"] = [$"'{string.Join("', '", unknown)}' is not an event kind ({string.Join(", ", Enum.GetNames<EventKind>())})."];
            }
        }

        if (request.Retention?.MaxAge is { } age && age < TimeSpan.FromMinutes(1))
        {
            errors["retention.maxAge"] = ["retention.maxAge must be at least 00:01:00."];
        }

        if (request.Retention?.MaxEntries is < 1 or > FeedLimits.MaxEntriesCeiling)
        {
            errors["retention.maxEntries"] = [$"retention.maxEntries must be between 1 and {FeedLimits.MaxEntriesCeiling}."];
        }

        return errors;
    }

    private static void CheckList(Dictionary<string, string[]> errors, string field, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > FeedLimits.MaxListItems)
        {
            errors[field] = [$"{field} may hold at most {FeedLimits.MaxListItems} values."];
        }
        else if (values.Any(string.IsNullOrWhiteSpace))
        {
            errors[field] = [$"{field} holds an empty value."];
        }
    }

    [LoggerMessage(811, LogLevel.Information, "Feed {Handle} registered (session {Session})")]
    private static partial void Registered(ILogger logger, string handle, string session);

    [LoggerMessage(812, LogLevel.Information, "Feed {Handle} released (session {Session})")]
    private static partial void Released(ILogger logger, string handle, string session);
}

/// <summary>Body of <c>POST /api/feeds</c>.</summary>
internal sealed record FeedRegisterRequest(string? Session, string? Name, FeedScopeRequest? Scope, FeedRetentionRequest? Retention);

/// <summary>The <c>scope</c> of a registration; every list left out matches everything.</summary>
internal sealed record FeedScopeRequest(
    IReadOnlyList<string>? SubscriptionIds,
    IReadOnlyList<string>? Registrations,
    IReadOnlyList<string>? Mailboxes,
    IReadOnlyList<string>? EventKinds,
    IReadOnlyList<string>? FolderIds,
    IReadOnlyList<string>? ItemIds,
    bool? IncludeErrors,
    bool? IncludeLifecycle);

/// <summary>The <c>retention</c> of a registration; unset values take the configured defaults.</summary>
internal sealed record FeedRetentionRequest(TimeSpan? MaxAge, int? MaxEntries);

/// <summary>Body of <c>POST /api/feeds/{handle}/ack</c>.</summary>
internal sealed record FeedAckRequest(long? Cursor);
