using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Tests.Infrastructure;
using Serilog.Events;

namespace PushListener.Tests.Telemetry;

/// <summary>One request line per request, at a level that fits what happened, with the push's subscription and outcome.</summary>
public sealed class RequestLoggingTests
{
    [Fact]
    public async Task PushAnsweredOk_OneLineAtDebug_WithSubscriptionAndOutcome()
    {
        var capture = new SerilogCapture();
        using var factory = new ListenerFactory().WithServices(s => s.AddSingleton(capture.HostLogger));
        using var client = factory.CreateClient();
        var subscription = PushBuilder.SubscriptionId(7);

        using (await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 1))))
        {
        }

        await Eventually.TrueAsync(() => capture.RequestLines.Any());
        var line = Assert.Single(capture.RequestLines);
        Assert.Equal(LogEventLevel.Debug, line.Level);
        Assert.Equal($"\"{subscription}\"", line.Properties["SubscriptionId"].ToString());
        Assert.Equal("\"ok\"", line.Properties["Outcome"].ToString());
        Assert.Equal("200", line.Properties["StatusCode"].ToString());
        Assert.DoesNotContain(capture.Events, e => e.Properties.TryGetValue("SourceContext", out var s) && s.ToString().Contains("HttpLogging", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fault_AtWarning_Unsubscribe_AtInformation()
    {
        var capture = new SerilogCapture();
        using var factory = new ListenerFactory()
            .With("PushListener:Handlers:log:Enabled", "false")
            .With("PushListener:Handlers:rule:Type", "UnsubscribeRule")
            .With("PushListener:Handlers:rule:Settings:SubscriptionIds:0", PushBuilder.SubscriptionId(9))
            .WithServices(s => s.AddSingleton(capture.HostLogger));
        using var client = factory.CreateClient();

        using (await client.SendAsync(Soap.Post(Encoding.UTF8.GetBytes("<not-soap/>"))))
        {
        }

        using (var unsubscribe = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(9), 1))))
        {
            Assert.Equal("Unsubscribe", Soap.StatusOf(await unsubscribe.Content.ReadAsStringAsync()));
        }

        await Eventually.TrueAsync(() => capture.RequestLines.Count() == 2);
        var lines = capture.RequestLines.ToList();
        Assert.Equal((LogEventLevel.Warning, "\"fault\""), (lines[0].Level, lines[0].Properties["Outcome"].ToString()));
        Assert.Equal((LogEventLevel.Information, "\"unsubscribe\""), (lines[1].Level, lines[1].Properties["Outcome"].ToString()));
    }
}
