using Microsoft.Extensions.Logging.Abstractions;
using PushListener.Feeds;
using PushListener.Protocol;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Feeds;

public sealed class FeedScopeTests
{
    private static readonly string Sub = PushBuilder.SubscriptionId(7);
    private static readonly RegistrationInfo Alice = new("alice", "alice@example.org", null);

    [Theory]
    [InlineData(null, true)]
    [InlineData("exact", true)]
    [InlineData("c3ViLTAwMDc*", true)]
    [InlineData("other-subscription", false)]
    public void Subscription_ExactOrWildcard(string? pattern, bool expected)
    {
        var scope = new FeedScope { SubscriptionIds = pattern switch { null => null, "exact" => [Sub], _ => [pattern] } };

        Assert.Equal(expected, Matches(scope, NewMail(), out _));
    }

    [Fact]
    public void RegistrationAndMailbox_AreAlternativesToSubscriptions()
    {
        var byName = new FeedScope { SubscriptionIds = ["nope"], Registrations = ["ALICE"] };
        var byMailbox = new FeedScope { Mailboxes = ["Alice@Example.org"] };
        var otherMailbox = new FeedScope { Mailboxes = ["bob@example.org"] };

        Assert.True(Matches(byName, NewMail(Alice), out _));
        Assert.True(Matches(byMailbox, NewMail(Alice), out _));
        Assert.False(Matches(otherMailbox, NewMail(Alice), out _));
        Assert.False(Matches(byName, NewMail(registration: null), out _));
    }

    [Fact]
    public void EventKinds_SelectAndNarrow()
    {
        var all = Context(SendNotificationReader.Read(Fixture.Bytes("all-event-types.xml")).Messages[0], null);

        Assert.False(Matches(new FeedScope { EventKinds = ["Created"] }, NewMail(), out _));
        Assert.True(Matches(new FeedScope { EventKinds = ["NewMail"] }, NewMail(), out var whole));
        Assert.Null(whole);
        Assert.True(Matches(new FeedScope { EventKinds = ["Created", "Deleted"] }, all, out var kept));
        Assert.NotNull(kept);
        Assert.Equal(2, kept.Count(k => k));
        Assert.True(kept[1] && kept[2]);
    }

    [Fact]
    public void FoldersAndItems_SelectEvents()
    {
        Assert.True(Matches(new FeedScope { FolderIds = ["AAMkAD-inbox"] }, NewMail(), out _));
        Assert.False(Matches(new FeedScope { FolderIds = ["AAMkAD-sent"] }, NewMail(), out _));
        Assert.True(Matches(new FeedScope { ItemIds = ["AAMkAD-item-1"] }, NewMail(), out _));
        Assert.False(Matches(new FeedScope { ItemIds = ["AAMkAD-item-2"], EventKinds = ["NewMail"] }, NewMail(), out _));
        // A heartbeat names no folder or item, so a feed scoped to folders does not get it.
        var heartbeat = Context(SendNotificationReader.Read(Fixture.Bytes("heartbeat.xml")).Messages[0], null);
        Assert.False(Matches(new FeedScope { FolderIds = ["AAMkAD-inbox"] }, heartbeat, out _));
    }

    [Fact]
    public void Lifecycle_OnlyWhenInScope()
    {
        var gap = new NotificationContext(
            new LifecycleEvent(LifecycleKind.GapDetected, Sub, DateTimeOffset.UnixEpoch),
            new PushMetadata("9", DateTimeOffset.UnixEpoch, null),
            1,
            NullLogger.Instance,
            new NoServices(),
            CancellationToken.None);

        Assert.False(Matches(new FeedScope(), gap, out _));
        Assert.True(Matches(new FeedScope { IncludeLifecycle = true }, gap, out var kept));
        Assert.Null(kept);
        Assert.True(Matches(new FeedScope { IncludeLifecycle = true, SubscriptionIds = [Sub], EventKinds = ["Created"] }, gap, out _));
        Assert.False(Matches(new FeedScope { IncludeLifecycle = true, SubscriptionIds = ["other"] }, gap, out _));
    }

    [Fact]
    public void ErrorPushes_UnlessExcluded()
    {
        var error = Context(SendNotificationReader.Read(Fixture.Bytes("error-push.xml")).Messages[0], null);

        Assert.True(new FeedMatcher(new FeedScope { EventKinds = ["NewMail"] }).Matches(error, out var kind, out _));
        Assert.Equal(FeedEntryKind.Error, kind);
        Assert.False(Matches(new FeedScope { IncludeErrors = false }, error, out _));
        Assert.False(Matches(new FeedScope { SubscriptionIds = [Sub] }, error, out _));
    }

    private static bool Matches(FeedScope scope, NotificationContext context, out bool[]? kept) =>
        new FeedMatcher(scope).Matches(context, out _, out kept);

    private static NotificationContext NewMail(RegistrationInfo? registration = null) =>
        Context(SendNotificationReader.Read(PushBuilder.NewMail(Sub, 1)).Messages[0], registration);

    private static NotificationContext Context(NotificationMessage message, RegistrationInfo? registration) =>
        new(message, new PushMetadata("1", DateTimeOffset.UnixEpoch, "Exchange2013", registration), 1, NullLogger.Instance, new NoServices(), CancellationToken.None);

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
