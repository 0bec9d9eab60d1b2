using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PushListener.Feeds;
using PushListener.Hosting;
using PushListener.Tests.Infrastructure;
using static PushListener.Tests.Feeds.FeedTestSupport;

namespace PushListener.Tests.Feeds;

/// <summary>Registration, keys, scope and budget packing through the real HTTP pipeline.</summary>
public sealed class FeedApiTests
{
    private static readonly string SubA = PushBuilder.SubscriptionId(1);
    private static readonly string SubB = PushBuilder.SubscriptionId(2);
    private static readonly string[] UnknownKinds = ["NewMail", "Exploded"];
    private static readonly string[] NewMailOnly = ["NewMailEvent"];
    private static readonly string[] CreatedOrDeleted = ["Created", "Deleted"];

    [Fact]
    public async Task NoAdminKey_NoFeedsApi()
    {
        using var factory = new ListenerFactory();
        using var client = factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/feeds", new { });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("PushListener:Feeds:Enabled", "true", "PushListener:Feeds:Enabled")]
    [InlineData("PushListener:Feeds:VisibilityTimeout", "00:00:00", "PushListener:Feeds:VisibilityTimeout")]
    [InlineData("PushListener:Feeds:DefaultMaxBytes", "10", "PushListener:Feeds:DefaultMaxBytes")]
    [InlineData("PushListener:Feeds:MaxWait", "01:00:00", "PushListener:Feeds:MaxWait")]
    public void InvalidSettings_FailNamingTheSetting(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PushListener:Inbox:Enabled"] = "false",
            [key] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FeedsOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_AdminRegisters_ConsumerKeyReachesItsSessionOnly()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var first = await RegisterAsync(admin, new { session = "crm" });
        var linked = await RegisterAsync(admin, new { session = "crm" });
        var stranger = await RegisterAsync(admin, new { session = "billing" });
        using var consumer = Consumer(factory, first);
        using var anonymous = factory.CreateClient();
        using var wrong = factory.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "fk_not-a-key-at-all-0123456789");

        Assert.Equal(HttpStatusCode.OK, (await consumer.GetAsync($"/api/feeds/{first.Handle}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await consumer.GetAsync($"/api/feeds/{linked.Handle}/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await consumer.GetAsync($"/api/feeds/{stranger.Handle}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await consumer.PostAsJsonAsync("/api/feeds", new { session = "crm" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/feeds/{first.Handle}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync($"/api/feeds/{first.Handle}")).StatusCode);
        var listed = await consumer.GetFromJsonAsync<List<System.Text.Json.JsonElement>>("/api/feeds");
        Assert.Equal(new[] { first.Handle, linked.Handle }.Order(StringComparer.Ordinal), listed!.Select(f => f.GetProperty("handle").GetString()!).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(first.Key, (await admin.GetStringAsync($"/api/feeds/{first.Handle}")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheFeedsApi()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);

        var document = await admin.GetStringAsync("/api/openapi/admin.json");

        Assert.Contains("/api/feeds/{handle}/notifications", document, StringComparison.Ordinal);
        Assert.Contains("RegisterFeed", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_InvalidScope_Is400NamingTheField()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);

        using var response = await admin.PostAsJsonAsync("/api/feeds", new { scope = new { eventKinds = UnknownKinds }, retention = new { maxEntries = 0 } });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("scope.eventKinds", body, StringComparison.Ordinal);
        Assert.Contains("Exploded", body, StringComparison.Ordinal);
        Assert.Contains("retention.maxEntries", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scope_EachFeedGetsWhatItRegisteredFor_NarrowedToItsEvents()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var onlyA = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { SubA }, eventKinds = NewMailOnly } });
        var onlyB = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { SubB } } });
        var createdOrDeleted = await RegisterAsync(admin, new { scope = new { eventKinds = CreatedOrDeleted } });

        await PostAsync(admin, PushBuilder.NewMail(SubA, 1));
        await PostAsync(admin, PushBuilder.NewMail(SubB, 1));
        await PostAsync(admin, PushBuilder.NewMail(SubA, 2));
        await PostAsync(admin, Fixture.Bytes("all-event-types.xml"));
        await AppendedAsync(admin, onlyA.Handle, 2);
        await AppendedAsync(admin, onlyB.Handle, 1);
        await AppendedAsync(admin, createdOrDeleted.Handle, 1);

        var a = await FetchAsync(admin, onlyA.Handle);
        Assert.Equal([SubA, SubA], a.Entries.Select(e => e.SubscriptionId));
        Assert.Equal([1, 2], a.Entries.Select(e => e.MailSequence));
        Assert.Equal(SubB, Assert.Single((await FetchAsync(admin, onlyB.Handle)).Entries).SubscriptionId);
        var narrowed = Assert.Single((await FetchAsync(admin, createdOrDeleted.Handle)).Entries);
        Assert.Equal(["Created", "Deleted"], narrowed.Payload.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("pushlistener.notification/v1", narrowed.Payload.GetProperty("schema").GetString());
        Assert.Equal(2, await CounterAsync(admin, onlyA.Handle, "appended"));
    }

    [Fact]
    public async Task Lifecycle_OnlyInFeedsThatAskForIt()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var withLifecycle = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { SubA }, includeLifecycle = true } });
        var without = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { SubA } } });

        await PostAsync(admin, PushBuilder.NewMail(SubA, 1));
        await PostAsync(admin, PushBuilder.NewMail(SubA, 2));
        await PostAsync(admin, PushBuilder.NewMail(SubA, 5)); // broken watermark chain: GapDetected
        await AppendedAsync(admin, withLifecycle.Handle, 4);
        await AppendedAsync(admin, without.Handle, 3);

        var lifecycle = Assert.Single((await FetchAsync(admin, withLifecycle.Handle)).Entries, e => e.Kind == "lifecycle");
        Assert.Equal("gapDetected", lifecycle.Payload.GetProperty("lifecycle").GetProperty("kind").GetString());
        Assert.All((await FetchAsync(admin, without.Handle)).Entries, e => Assert.Equal("notification", e.Kind));
        Assert.Equal(3, await CounterAsync(admin, without.Handle, "appended"));
    }

    [Fact]
    public async Task Budget_ExactlyAsManyAsFit_PendingWhileMoreRemain()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        // Two feeds with the same scope hold byte-identical entries: one measures, the other is packed.
        var measure = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { SubA } } });
        var packed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { SubA } } });
        for (var i = 1; i <= 5; i++)
        {
            await PostAsync(admin, PushBuilder.NewMail(SubA, i));
        }

        await AppendedAsync(admin, measure.Handle, 5);
        await AppendedAsync(admin, packed.Handle, 5);
        var sizes = (await FetchAsync(admin, measure.Handle)).Entries.Select(e => e.Size).ToArray();
        Assert.Equal(5, sizes.Length);

        var first = await FetchAsync(admin, packed.Handle, $"maxBytes={sizes[0] + sizes[1] + sizes[2]}");
        Assert.Equal([1L, 2, 3], first.Entries.Select(e => e.Seq));
        Assert.True(first.Pending);
        Assert.Equal(3, first.Cursor);
        var second = await FetchAsync(admin, packed.Handle, $"maxBytes={sizes[3] + sizes[4] - 1}");
        Assert.Equal([4L], second.Entries.Select(e => e.Seq));
        Assert.True(second.Pending);
        var last = await FetchAsync(admin, packed.Handle, $"maxBytes={sizes[4]}");
        Assert.Equal([5L], last.Entries.Select(e => e.Seq));
        Assert.False(last.Pending);
    }

    [Fact]
    public async Task Budget_CountLimit_AndAnOversizedNotificationGoesAlone()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var feed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { SubA } } });
        await PostAsync(admin, PushBuilder.NewMail(SubA, 1, padding: 6000));
        await PostAsync(admin, PushBuilder.NewMail(SubA, 2));
        await PostAsync(admin, PushBuilder.NewMail(SubA, 3));
        await AppendedAsync(admin, feed.Handle, 3);

        var big = await FetchAsync(admin, feed.Handle, "maxBytes=1024");
        var alone = Assert.Single(big.Entries);
        Assert.True(alone.Size > 1024);
        Assert.Equal(1, alone.MailSequence);
        Assert.True(big.Pending);
        var counted = await FetchAsync(admin, feed.Handle, "max=1");
        Assert.Equal([2], counted.Entries.Select(e => e.MailSequence));
        Assert.True(counted.Pending);
        var rest = await FetchAsync(admin, feed.Handle, "max=5");
        Assert.Equal([3], rest.Entries.Select(e => e.MailSequence));
        Assert.False(rest.Pending);
    }

    [Fact]
    public async Task SessionPending_LinkedHandleHasNotifications_AnswersAtOnceAndWakesAWaitingPoll()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var quiet = await RegisterAsync(admin, new { session = "crm", scope = new { subscriptionIds = new[] { SubA } } });
        var busy = await RegisterAsync(admin, new { session = "crm", scope = new { subscriptionIds = new[] { SubB } } });
        var unrelated = await RegisterAsync(admin, new { session = "other", scope = new { subscriptionIds = new[] { SubB } } });
        using var consumer = Consumer(factory, quiet);

        var waiting = FetchAsync(consumer, quiet.Handle, "wait=20");
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        await PostAsync(admin, PushBuilder.NewMail(SubB, 1));
        var woken = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(woken.Entries);
        Assert.False(woken.Pending);
        Assert.True(woken.SessionPending);
        Assert.Equal([busy.Handle], woken.PendingHandles);

        var clock = Stopwatch.StartNew();
        var again = await FetchAsync(consumer, quiet.Handle, "wait=20");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.True(again.SessionPending);
        var fetched = await FetchAsync(consumer, busy.Handle);
        Assert.Single(fetched.Entries);
        Assert.False(fetched.SessionPending);
        await AppendedAsync(admin, unrelated.Handle, 1);
        Assert.False((await FetchAsync(consumer, quiet.Handle)).SessionPending);
    }
}
