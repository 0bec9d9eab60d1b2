using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Plugins;

/// <summary>What an operator sees at start-up when a plugin folder is broken.</summary>
[Collection(SamplePluginGroup.Name)]
public sealed class PluginStartupTests
{
    private readonly SamplePluginFixture _fixture;

    public PluginStartupTests(SamplePluginFixture fixture) => _fixture = fixture;

    [Fact]
    public void Start_BrokenPluginFolder_ExitsWithTheDocumentedError()
    {
        var folder = _fixture.NewFolder();
        var plugin = Directory.CreateDirectory(Path.Combine(folder, "Broken")).FullName;
        File.WriteAllBytes(Path.Combine(plugin, "Broken.dll"), [0x4D, 0x5A, 0, 1, 2, 3]);

        var (exitCode, output) = RunHost("--PushListener:Plugins:Folder=" + folder);

        Assert.Equal(1, exitCode);
        Assert.Contains("PushListener failed to start", output, StringComparison.Ordinal);
        Assert.Contains($"Plugin 'Broken' in {plugin} could not be loaded: Broken.dll is not a .NET assembly", output, StringComparison.Ordinal);
        Assert.Contains("PushListener:Plugins:SkipFailed=true", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BrokenPluginWithSkipFailed_StartsAndLogsTheError()
    {
        var folder = _fixture.NewFolder();
        var broken = Directory.CreateDirectory(Path.Combine(folder, "Broken")).FullName;
        File.WriteAllBytes(Path.Combine(broken, "Broken.dll"), [0x4D, 0x5A, 0, 1, 2, 3]);
        var logs = new LogCapture();
        await using var factory = new ListenerFactory()
            .With("PushListener:Plugins:Folder", folder)
            .With("PushListener:Plugins:SkipFailed", "true")
            .WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
        using var client = factory.CreateClient();

        using var live = await client.GetAsync("/healthz/live");
        using var ready = await client.GetAsync("/healthz/ready");
        using var push = await client.SendAsync(Soap.PostFixture("all-event-types.xml"));

        // It runs and takes pushes, but a skipped plugin keeps it out of readiness until the operator looks.
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("Plugin 'Broken'", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("OK", Soap.StatusOf(await push.Content.ReadAsStringAsync()));
        var error = Assert.Single(logs.Entries, e => e.EventId == 301);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains($"Plugin Broken in {broken} could not be loaded and is skipped", error.Message, StringComparison.Ordinal);
        Assert.Contains("Broken.dll is not a .NET assembly", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Exception);
    }

    [Fact]
    public void Start_InvalidPluginSetting_ExitsNamingTheSetting()
    {
        var (exitCode, output) = RunHost(
            "--PushListener:Plugins:Folder=" + _fixture.PluginsFolder,
            "--PushListener:Plugins:EventCounterPlugin:LogEvery=-1");

        Assert.Equal(1, exitCode);
        Assert.Contains("PushListener:Plugins:EventCounterPlugin:LogEvery must be 0 or more", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the real executable from a scratch working directory (so no appsettings.json): under WebApplicationFactory a
    /// start-up error only reaches the console (Program catches it), and the console is what the operator reads.
    /// </summary>
    private (int ExitCode, string Output) RunHost(params string[] arguments) =>
        Dotnet.RunRaw(_fixture.NewFolder(), TimeSpan.FromMinutes(1), [Path.Combine(AppContext.BaseDirectory, "PushListener.dll"), "--urls=http://127.0.0.1:0", .. arguments]);
}
