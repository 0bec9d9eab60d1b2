using System.CommandLine;
using System.Text.Json;
using PushListener.Simulator.Commands;
using PushListener.Simulator.Tests.Infrastructure;
using Spectre.Console;

namespace PushListener.Simulator.Tests;

/// <summary>The real listener on a 127.0.0.1 socket, shared by the command-line tests.</summary>
public sealed class LoopbackListenerFixture : IAsyncLifetime
{
    public RealListener Listener { get; } = new RealListener().OnLoopback();

    public Uri Url { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Url = Listener.EndpointUrl;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Listener.DisposeAsync();
}

/// <summary>The three commands end to end, in-process, against the real listener over loopback.</summary>
public sealed class CommandLineTests(LoopbackListenerFixture fixture) : IClassFixture<LoopbackListenerFixture>
{
    private static async Task<(int Exit, string Output, string Error, string Console)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(screen),
        });
        var exit = await SimulatorCommandLine.Create(console).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString(), screen.ToString());
    }

    [Fact]
    public async Task Run_Json_WritesTheSummaryForScripts()
    {
        var (exit, output, error, _) = await InvokeAsync(
            "run", "--url", fixture.Url.ToString(), "-n", "3", "-d", "1s", "--status-frequency", "1", "--time-scale", "0.01", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("subscriptions").GetInt32());
        Assert.True(root.GetProperty("sent").GetInt64() >= 3);
        Assert.Equal(root.GetProperty("sent").GetInt64(), root.GetProperty("acknowledged").GetInt64());
        Assert.Equal(0, root.GetProperty("retried").GetInt64());
        Assert.Equal(0, root.GetProperty("dead").GetInt64());
        Assert.Equal(0, root.GetProperty("unsubscribed").GetInt64());
        Assert.True(root.GetProperty("latencyMs").GetProperty("p99").GetDouble() > 0);
    }

    [Fact]
    public async Task Run_WithoutJson_PrintsTheSummaryTables()
    {
        var (exit, output, _, screen) = await InvokeAsync("run", "--url", fixture.Url.ToString(), "-n", "2", "-d", "300ms", "--status-frequency", "1", "--time-scale", "0.01");

        Assert.Equal(0, exit);
        Assert.Empty(output);
        Assert.Contains("acknowledged", screen, StringComparison.Ordinal);
        Assert.Contains("p99.9", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_ClosedLoop_ReportsThroughputAndNoErrors()
    {
        var (exit, output, error, _) = await InvokeAsync("load", "--url", fixture.Url.ToString(), "-c", "4", "-d", "1s", "-k", "20", "--json");

        Assert.True(exit == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.True(root.GetProperty("requests").GetInt64() > 10);
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.True(root.GetProperty("requestsPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("latencyMs").GetProperty("p999").GetDouble() >= root.GetProperty("latencyMs").GetProperty("p50").GetDouble());
    }

    [Fact]
    public async Task Load_FixedRate_SendsOnSchedule()
    {
        var (exit, output, error, _) = await InvokeAsync("load", "--url", fixture.Url.ToString(), "-c", "4", "-d", "1s", "--rate", "50", "--json");

        Assert.True(exit == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(50, root.GetProperty("requests").GetInt64());
        Assert.Equal(50, root.GetProperty("rate").GetDouble());
    }

    [Theory]
    [InlineData("all-event-types.xml")]
    [InlineData("soap12.xml")]
    [InlineData("utf16.xml")]
    [InlineData("error-push.xml")]
    public async Task Replay_Capture_ListenerAnswersOk(string capture)
    {
        var (exit, output, error, _) = await InvokeAsync("replay", Fixture.PathOf(capture), "--url", fixture.Url.ToString(), "--json");

        Assert.True(exit == 0, error + output);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("Ok", root.GetProperty("outcome").GetString());
        Assert.Contains("<m:SubscriptionStatus>OK</m:SubscriptionStatus>", root.GetProperty("reply").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_HostileCapture_FaultAndExitCode1()
    {
        var (exit, _, _, screen) = await InvokeAsync("replay", Fixture.PathOf("hostile/xxe.xml"), "--url", fixture.Url.ToString());

        Assert.Equal(1, exit);
        Assert.Contains("HTTP 500, Fault", screen, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "--time-scale", "0")]
    [InlineData("run", "--status-frequency", "1441")]
    [InlineData("load", "--concurrency", "0")]
    public async Task Invoke_OutOfRangeOption_ExitCode2NamingTheOption(string command, string option, string value)
    {
        var (exit, _, error, _) = await InvokeAsync(command, "--url", fixture.Url.ToString(), option, value);

        Assert.Equal(SimulatorCommandLine.BadOptions, exit);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("run", "--url", "ftp://example.org/")]
    [InlineData("run", "--url", "http://127.0.0.1:1/", "--duration", "soon")]
    [InlineData("replay", "no-such-file.xml", "--url", "http://127.0.0.1:1/")]
    public async Task Invoke_BadCommandLine_ParseError(params string[] args)
    {
        var (exit, _, error, _) = await InvokeAsync(args);

        Assert.NotEqual(0, exit);
        Assert.NotEmpty(error);
    }
}
