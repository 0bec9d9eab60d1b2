using System.Net;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Plugins;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Plugins;

/// <summary>The published sample plugin, loaded by the real host from a plugins folder.</summary>
[Collection(SamplePluginGroup.Name)]
public sealed class SamplePluginTests
{
    private const string SubscriptionId = "KQBIRTFQUjA3MDFNQjI4NDMuZXVycHJkMDcucHJvZC5vdXRsb29rLmNvbRAAAACqHldeQMCXULJt7GDPK5mw";
    private const string Section = "PushListener:Plugins:" + SamplePluginFixture.PluginName;

    private readonly SamplePluginFixture _plugin;

    public SamplePluginTests(SamplePluginFixture plugin) => _plugin = plugin;

    [Fact]
    public void Publish_SamplePlugin_CarriesNoCopyOfTheContract()
    {
        Assert.True(File.Exists(Path.Combine(_plugin.PluginFolder, "EventCounterPlugin.dll")));
        Assert.False(File.Exists(Path.Combine(_plugin.PluginFolder, "PushListener.Abstractions.dll")));
    }

    [Fact]
    public async Task Post_AllEventTypes_PluginHandlerCountsEventsWithItsOwnSettings()
    {
        var countsFile = Path.Combine(_plugin.NewFolder(), "counts.json");
        var logs = new LogCapture();
        await using var factory = Host(logs)
            .With(Section + ":CountsFile", countsFile)
            .With(Section + ":LogEvery", "1");
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("all-event-types.xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        using var counts = await ReadCountsAsync(countsFile, notifications: 1);
        var subscription = counts.RootElement.GetProperty(SubscriptionId);
        Assert.Equal(0, subscription.GetProperty("Errors").GetInt32());
        var events = subscription.GetProperty("Events").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["Copied"] = 1,
                ["Created"] = 1,
                ["Deleted"] = 1,
                ["Modified"] = 2,
                ["Moved"] = 1,
                ["NewMail"] = 1,
                ["Status"] = 1,
                ["FreeBusyChanged"] = 1,
            },
            events);
        // LogEvery=1, from the plugin's own section: a summary after the first notification.
        Assert.Contains(logs.Entries, e => e.Category.EndsWith("EventCounterHandler", StringComparison.Ordinal) && e.Message.Contains("1 notification(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_SamplePlugin_LogsNameVersionAndHandlerCount()
    {
        var logs = new LogCapture();
        await using var factory = Host(logs);

        using var client = factory.CreateClient();

        var loaded = Assert.Single(logs.Entries, e => e.EventId == 300);
        Assert.Equal(LogLevel.Information, loaded.Level);
        Assert.Contains("Plugin EventCounterPlugin 1.0.0", loaded.Message, StringComparison.Ordinal);
        Assert.Contains(_plugin.PluginFolder, loaded.Message, StringComparison.Ordinal);
        Assert.Contains("1 handler(s)", loaded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SamplePlugin_HandlerImplementsTheHostsContract()
    {
        await using var factory = Host();
        using var client = factory.CreateClient();

        var registration = Assert.Single(factory.Services.GetServices<HandlerRegistration>(), r => r.Source == "plugin:EventCounterPlugin");

        Assert.Equal("EventCounterPlugin.EventCounterHandler", registration.Name);
        Assert.IsType<PluginLoadContext>(AssemblyLoadContext.GetLoadContext(registration.HandlerType.Assembly));
        var contract = Assert.Single(registration.HandlerType.GetInterfaces(), i => i.FullName == typeof(INotificationHandler).FullName);
        Assert.Same(typeof(INotificationHandler), contract);
        Assert.Same(typeof(INotificationHandler).Assembly, contract.Assembly);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(contract.Assembly));
    }

    [Fact]
    public async Task Post_HandlerOrderAndFilterConfigured_OperatorSettingsApply()
    {
        var countsFile = Path.Combine(_plugin.NewFolder(), "counts.json");
        await using var factory = Host()
            .With(Section + ":CountsFile", countsFile)
            .With(Section + ":Handlers:EventCounterHandler:Order", "-5")
            .With(Section + ":Handlers:EventCounterHandler:Timeout", "00:00:05")
            .With(Section + ":Handlers:EventCounterHandler:Filter:EventKinds:0", "NewMailEvent");
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("all-event-types.xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var registration = Assert.Single(factory.Services.GetServices<HandlerRegistration>(), r => r.Source == "plugin:EventCounterPlugin");
        Assert.Equal(-5, registration.Order);
        Assert.Equal(TimeSpan.FromSeconds(5), registration.Timeout);
        using var counts = await ReadCountsAsync(countsFile, notifications: 1);
        var events = counts.RootElement.GetProperty(SubscriptionId).GetProperty("Events").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["NewMail"] = 1 }, events);
    }

    [Fact]
    public async Task Start_PluginDisabled_IsNotLoaded()
    {
        var logs = new LogCapture();
        await using var factory = Host(logs).With(Section + ":Enabled", "false");

        using var client = factory.CreateClient();

        Assert.DoesNotContain(factory.Services.GetServices<HandlerRegistration>(), r => r.Source.StartsWith("plugin:", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventId == 302 && e.Message.Contains("EventCounterPlugin", StringComparison.Ordinal));
    }

    private ListenerFactory Host(LogCapture? logs = null)
    {
        var factory = new ListenerFactory().With("PushListener:Plugins:Folder", _plugin.PluginsFolder);
        if (logs is not null)
        {
            factory.WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
        }

        return factory;
    }

    /// <summary>
    /// The counts file once it shows <paramref name="notifications"/> notifications for the fixture's subscription. Polled:
    /// with the durable inbox the handler runs after the HTTP answer.
    /// </summary>
    private static async Task<JsonDocument> ReadCountsAsync(string path, int notifications)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (File.Exists(path))
            {
                var document = JsonDocument.Parse(await File.ReadAllBytesAsync(path));
                if (document.RootElement.TryGetProperty(SubscriptionId, out var subscription) && subscription.GetProperty("Notifications").GetInt32() >= notifications)
                {
                    return document;
                }

                document.Dispose();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{path} did not show {notifications} notification(s) for the subscription within 10 s (exists: {File.Exists(path)}).");
            }

            await Task.Delay(50);
        }
    }
}
