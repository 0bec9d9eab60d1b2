using System.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using PushListener.Hosting;
using PushListener.Tests.Infrastructure;
using PushListener.Tests.Plugins;

namespace PushListener.Tests.Hosting;

/// <summary>The usual ways to set the address win over the default port; limits; start-up errors; help.</summary>
public sealed class HostingConventionsTests
{
    public static TheoryData<string> AddressWays => ["--urls", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS"];

    [Theory]
    [MemberData(nameof(AddressWays))]
    public async Task Address_FromTheUsualPlaces_IsHonoured(string way)
    {
        var data = Path.Combine(Path.GetTempPath(), "pushlistener-tests", Guid.NewGuid().ToString("N"));
        await using var listener = await ListenerProcess.StartAsync(["--PushListener:Inbox:DataFolder=" + data], address: (port, info) =>
        {
            switch (way)
            {
                case "--urls":
                    info.ArgumentList.Add("--urls");
                    info.ArgumentList.Add($"http://127.0.0.1:{port}");
                    break;
                case "ASPNETCORE_URLS":
                    info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
                    break;
                default:
                    info.Environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        });

        using var client = new HttpClient { BaseAddress = listener.BaseAddress };
        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1)));

        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        Assert.DoesNotContain("5080", listener.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Overriding", listener.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("urls", "http://127.0.0.1:9000", true)]
    [InlineData("http_ports", "8080", true)]
    [InlineData("https_ports", "8443", true)]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:9000", true)]
    [InlineData("PushListener:Endpoint:Path", "/ews", false)]
    public void HasAddress_SeesEveryConventionalSetting(string key, string value, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        Assert.Equal(expected, HostingDefaults.HasAddress(configuration));
    }

    [Fact]
    public void Limits_DefaultsBoundIdleConnections_SettingsOverrideEach()
    {
        var defaults = new KestrelServerLimits();
        HostingDefaults.ApplyLimits(defaults, new ConfigurationBuilder().Build());
        var overridden = new KestrelServerLimits();
        HostingDefaults.ApplyLimits(overridden, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MaxConcurrentConnections"] = "50",
            ["KeepAliveTimeout"] = "00:02:00",
        }).Build());

        Assert.Equal(HostingDefaults.MaxConcurrentConnections, defaults.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.RequestHeadersTimeout);
        Assert.Equal(50, overridden.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromMinutes(2), overridden.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), overridden.RequestHeadersTimeout);
    }

    [Fact]
    public void ConfigurationErrors_InTwoSections_OneMessage_NoStackTrace_Exit1()
    {
        var (exitCode, output) = Dotnet.RunRaw(
            ScratchFolder(),
            TimeSpan.FromMinutes(1),
            ListenerProcess.HostAssembly(),
            "--urls=http://127.0.0.1:0",
            "--PushListener:Endpoint:Path=relative",
            "--PushListener:Inbox:MaxAttempts=0",
            "--PushListener:Telemetry:Otlp:Endpoint=not a url");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("did not start", StringComparison.Ordinal));
        Assert.Contains("PushListener:Endpoint:Path", line, StringComparison.Ordinal);
        Assert.Contains("PushListener:Inbox:MaxAttempts", line, StringComparison.Ordinal);
        Assert.Contains("PushListener:Telemetry:Otlp:Endpoint", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
    }

    [Fact]
    public void FatalStartupError_ReachesTheConfiguredSinks()
    {
        var folder = ScratchFolder();
        var log = Path.Combine(folder, "pushlistener.log");

        var (exitCode, output) = Dotnet.RunRaw(
            folder,
            TimeSpan.FromMinutes(1),
            ListenerProcess.HostAssembly(),
            "--urls=http://127.0.0.1:0",
            "--PushListener:Logging:ConsoleFormat=None",
            "--Serilog:WriteTo:0:Name=File",
            "--Serilog:WriteTo:0:Args:path=" + log,
            "--PushListener:Inbox:MaxAttempts=0");

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("MaxAttempts", output, StringComparison.Ordinal);
        var written = File.ReadAllText(log);
        Assert.Contains("[FTL]", written, StringComparison.Ordinal);
        Assert.Contains("PushListener:Inbox:MaxAttempts must be between 1 and 1000 (got 0)", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("deadletters", "--help")]
    [InlineData("inbox", "stats", "--help")]
    public void Help_AnswersWithoutStartingTheServer(params string[] arguments)
    {
        var started = Stopwatch.StartNew();
        var (exitCode, output) = Dotnet.RunRaw(ScratchFolder(), TimeSpan.FromMinutes(1), [ListenerProcess.HostAssembly(), .. arguments]);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(50), "help must not wait for a server");
    }

    private static string ScratchFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "pushlistener-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
