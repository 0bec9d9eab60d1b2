using System.Collections.Concurrent;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Exchange;

/// <summary>
/// The state of the fake Exchange: mailboxes, subscriptions, faults waiting to be injected, and a record of the
/// Subscribe requests it took. The HTTP side is <see cref="FakeExchangeEndpoints"/>.
/// </summary>
internal sealed class FakeExchange : IAsyncDisposable
{
    private static readonly Dictionary<string, EventKind> EventTypes = new(StringComparer.Ordinal)
    {
        ["CopiedEvent"] = EventKind.Copied,
        ["CreatedEvent"] = EventKind.Created,
        ["DeletedEvent"] = EventKind.Deleted,
        ["ModifiedEvent"] = EventKind.Modified,
        ["MovedEvent"] = EventKind.Moved,
        ["NewMailEvent"] = EventKind.NewMail,
        ["FreeBusyChangedEvent"] = EventKind.FreeBusyChanged,
    };

    private readonly ConcurrentDictionary<string, FakeMailbox> _mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, FakeSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SubscribeCall> _calls = new();
    private readonly List<FakeFault> _faults = [];
    private readonly ConcurrentBag<Task> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ExchangeSender _sender;
    private int _subscriptionCounter;

    public FakeExchange(FakeExchangeOptions options, ExchangeSender sender)
    {
        Options = options;
        _sender = sender;
        ServerName = "FAKE" + options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "PR01MB0001.fake.prod.outlook.com";
        if (options.ActionsPerMinute > 0)
        {
            _running.Add(Task.Run(() => PlayActivityAsync(_stopping.Token)));
        }
    }

    public FakeExchangeOptions Options { get; }

    /// <summary>The back-end server named in subscription ids and in the affinity cookie.</summary>
    public string ServerName { get; }

    public TimeProvider Time => _sender.Time;

    public IReadOnlyCollection<FakeSubscription> Subscriptions => [.. _subscriptions.Values.OrderBy(s => s.CreatedAt)];

    /// <summary>Subscribe requests taken, oldest first (the last 1,000).</summary>
    public IReadOnlyList<SubscribeCall> Calls => [.. _calls];

    public FakeSubscription? this[string subscriptionId] => _subscriptions.TryGetValue(subscriptionId, out var s) ? s : null;

    public FakeMailbox Mailbox(string address) => _mailboxes.GetOrAdd(address, a => new FakeMailbox(a, Options.Seed));

    public void AddFault(FakeFault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }
    }

    /// <summary>Takes a Subscribe request: a fault if one is waiting, else checks and creates the subscription and starts pushing.</summary>
    public SubscribeOutcome Subscribe(SubscribeCall call)
    {
        _calls.Enqueue(call);
        while (_calls.Count > 1000 && _calls.TryDequeue(out _))
        {
        }

        if (TakeFault(call) is { } fault)
        {
            return fault;
        }

        var mailbox = Mailbox(call.Mailbox);
        if (_subscriptions.Values.Count(s => s.State == FakeSubscriptionState.Active && string.Equals(s.Mailbox, call.Mailbox, StringComparison.OrdinalIgnoreCase)) >= Options.MaxSubscriptionsPerMailbox)
        {
            return new SubscribeOutcome("ErrorExceededSubscriptionCount", MessageText: $"The mailbox has {Options.MaxSubscriptionsPerMailbox} subscriptions, the most allowed.");
        }

        string startWatermark;
        long cursor;
        if (call.Watermark is { } watermark)
        {
            if (!mailbox.TryFind(watermark, out cursor))
            {
                return new SubscribeOutcome("ErrorInvalidWatermark", MessageText: "The watermark used for creating this subscription was not found.");
            }

            startWatermark = watermark;
        }
        else
        {
            (startWatermark, cursor) = mailbox.Current;
        }

        var number = Interlocked.Increment(ref _subscriptionCounter);
        var id = ExchangeIds.SubscriptionId(ServerName, new Guid(number, 0, 0, BitConverter.GetBytes((long)Options.Seed)));
        var kinds = call.EventTypes.Select(t => EventTypes[t]).ToHashSet();
        var subscription = new FakeSubscription(id, mailbox, call.Url, call.StatusFrequency, kinds, call.ServerVersion, startWatermark, cursor, Time.GetUtcNow());
        _subscriptions[id] = subscription;
        _running.Add(Task.Run(() => subscription.RunAsync(_sender, Options, _stopping.Token)));
        return new SubscribeOutcome("NoError", id, startWatermark);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_running);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private SubscribeOutcome? TakeFault(SubscribeCall call)
    {
        lock (_faults)
        {
            var index = _faults.FindIndex(f =>
                (f.Mailbox is null || string.Equals(f.Mailbox, call.Mailbox, StringComparison.OrdinalIgnoreCase))
                && (f.Kind != FakeFaultKind.InvalidWatermark || call.Watermark is not null));
            if (index < 0)
            {
                return null;
            }

            var fault = _faults[index];
            if (fault.Count <= 1)
            {
                _faults.RemoveAt(index);
            }
            else
            {
                _faults[index] = fault with { Count = fault.Count - 1 };
            }

            return fault.Kind switch
            {
                FakeFaultKind.ServerBusy => new SubscribeOutcome("ErrorServerBusy", MessageText: "The server cannot service this request right now. Try again later.", BackOffMilliseconds: fault.BackOffMilliseconds, AsFault: true),
                FakeFaultKind.InvalidWatermark => new SubscribeOutcome("ErrorInvalidWatermark", MessageText: "The watermark used for creating this subscription was not found."),
                FakeFaultKind.ExceededSubscriptionCount => new SubscribeOutcome("ErrorExceededSubscriptionCount", MessageText: "You have exceeded the available subscriptions for your account. Remove unnecessary subscriptions and try your request again."),
                _ => new SubscribeOutcome("ErrorImpersonateUserDenied", MessageText: "The account does not have permission to impersonate the requested user."),
            };
        }
    }

    private async Task PlayActivityAsync(CancellationToken stopping)
    {
        var random = new Random(Options.Seed);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var gap = -Math.Log(1 - random.NextDouble()) * 60 / Options.ActionsPerMinute;
                await Task.Delay(Options.Scale(TimeSpan.FromSeconds(gap)), Time, stopping);
                var mailboxes = _mailboxes.Values.ToArray();
                if (mailboxes.Length > 0)
                {
                    mailboxes[random.Next(mailboxes.Length)].AddActivity(1);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
