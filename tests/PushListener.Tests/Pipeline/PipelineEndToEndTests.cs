using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Pipeline;

/// <summary>What Exchange hears, through the real HTTP pipeline, for each pipeline behaviour.</summary>
public sealed class PipelineEndToEndTests
{
    [Fact]
    public async Task Post_HandlerVotesUnsubscribe_ExchangeHearsUnsubscribe()
    {
        var voter = new RecordingHandler("voter", _ => ValueTask.FromResult(HandlerResult.Unsubscribe("test"))) { MayUnsubscribe = true };
        using var factory = new ListenerFactory().WithServices(s => s.AddNotificationHandler(voter, o => o.Name = "voter"));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("exchange-online-created.xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unsubscribe", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        Assert.Single(voter.Calls);
    }

    [Fact]
    public async Task Post_HandlerThrows_ExchangeHearsOk()
    {
        var failing = new RecordingHandler("failing", _ => throw new InvalidOperationException("transient"));
        using var factory = new ListenerFactory().WithServices(s => s.AddNotificationHandler(failing, o => o.Name = "failing"));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("exchange-online-created.xml"));

        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Post_ShortCircuitBeforeVoter_ExchangeHearsOk()
    {
        var stopper = new RecordingHandler("stopper", _ => ValueTask.FromResult(HandlerResult.Stop()));
        var voter = new RecordingHandler("voter", _ => ValueTask.FromResult(HandlerResult.Unsubscribe("test"))) { MayUnsubscribe = true };
        using var factory = new ListenerFactory().WithServices(s => s
            .AddNotificationHandler(stopper, o => (o.Name, o.Order) = ("stopper", 1))
            .AddNotificationHandler(voter, o => (o.Name, o.Order) = ("voter", 2)));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("heartbeat.xml"));

        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        Assert.Empty(voter.Calls);
    }

    [Fact]
    public async Task Post_MultipleMessages_EachRunsThePipeline()
    {
        var handler = new RecordingHandler("counter");
        using var factory = new ListenerFactory().WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "counter"));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("multiple-messages.xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // No handler may vote, so the answer went at commit; the pipeline runs from the inbox right after.
        await Eventually.TrueAsync(() => handler.Calls.Select(c => c.SubscriptionId).Distinct().Count() == 3);
    }

    [Fact]
    public async Task Post_UnsubscribeRuleFromConfiguration_AnswersUnsubscribeOnlyForListedSubscriptions()
    {
        var listed = NotificationPipelineTests.Message("exchange-online-created.xml").SubscriptionId!;
        using var factory = new ListenerFactory()
            .With("PushListener:Handlers:kill:Type", "UnsubscribeRule")
            .With("PushListener:Handlers:kill:Settings:SubscriptionIds:0", listed[..6] + "*");
        using var client = factory.CreateClient();

        using var matching = await client.SendAsync(Soap.PostFixture("exchange-online-created.xml"));
        using var other = await client.SendAsync(Soap.PostFixture("workmail.xml"));

        Assert.Equal("Unsubscribe", Soap.StatusOf(await matching.Content.ReadAsStringAsync()));
        Assert.Equal("OK", Soap.StatusOf(await other.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Post_ConfiguredFilterOnRule_LimitsItToTheFilteredEvents()
    {
        using var factory = new ListenerFactory()
            .With("PushListener:Handlers:kill:Type", "UnsubscribeRule")
            .With("PushListener:Handlers:kill:Filter:EventKinds:0", "DeletedEvent")
            .With("PushListener:Handlers:kill:Settings:SubscriptionIds:0", "*");
        using var client = factory.CreateClient();

        using var heartbeat = await client.SendAsync(Soap.PostFixture("heartbeat.xml"));
        using var withDelete = await client.SendAsync(Soap.PostFixture("all-event-types.xml"));

        Assert.Equal("OK", Soap.StatusOf(await heartbeat.Content.ReadAsStringAsync()));
        Assert.Equal("Unsubscribe", Soap.StatusOf(await withDelete.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("PushListener:Handlers:x:Type", "Nope", "PushListener:Handlers:x:Type")]
    [InlineData("PushListener:Handlers:x:Filter:EventKinds:0", "NewMails", "PushListener:Handlers:x:Filter:EventKinds:0")]
    [InlineData("PushListener:Handlers:x:Timeout", "-00:00:01", "PushListener:Handlers:x:Timeout")]
    public void Validate_BadHandlerEntry_FailsNamingTheEntry(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PushListener:Handlers:x:Type"] = "UnsubscribeRule",
            ["PushListener:Handlers:x:Settings:SubscriptionIds:0"] = "abc",
            [key] = value,
        };

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RuleWithoutIds_FailsNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["PushListener:Handlers:rule:Type"] = "UnsubscribeRule" }));

        Assert.Contains("PushListener:Handlers:rule:Settings:SubscriptionIds", error.Message, StringComparison.Ordinal);
    }

    private static PushListenerOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PushListenerOptions>>().Value;
    }
}
