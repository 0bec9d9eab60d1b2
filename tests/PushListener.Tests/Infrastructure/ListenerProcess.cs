using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PushListener.Tests.Infrastructure;

/// <summary>
/// The real service as a separate process (the build output of src/PushListener), on a free loopback port, for tests
/// that must kill it. Output is captured for diagnostics.
/// </summary>
internal sealed class ListenerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ListenerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <param name="settings">Command-line settings.</param>
    /// <param name="startTimeout">How long to wait for /healthz.</param>
    /// <param name="address">Sets the address on the process for the free port given (arguments, environment); by default <c>Kestrel:Endpoints</c>.</param>
    public static async Task<ListenerProcess> StartAsync(IEnumerable<string> settings, TimeSpan? startTimeout = null, Action<int, ProcessStartInfo>? address = null)
    {
        var port = FreePort();
        var host = HostAssembly();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(host)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(host);
        if (address is null)
        {
            info.ArgumentList.Add($"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{port}");
        }
        else
        {
            address(port, info);
        }

        info.ArgumentList.Add("--Serilog:MinimumLevel:Default=Warning");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var listener = new ListenerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => listener.Append(e.Data);
        process.ErrorDataReceived += (_, e) => listener.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await listener.WaitHealthyAsync(startTimeout ?? TimeSpan.FromSeconds(30));
        return listener;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    /// <summary>The build output of src/PushListener, in the same configuration as this test assembly.</summary>
    public static string HostAssembly()
    {
        var testOutput = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(testOutput).Parent!.Name; // bin/{Configuration}/net10.0/
        var root = RepositoryRoot();
        var path = Path.Combine(root, "src", "PushListener", "bin", configuration, "net10.0", "PushListener.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build src/PushListener first (the solution build does).", path);
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PushListener.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("PushListener.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // The exit can be seen before the last of the output is read: WaitForExitAsync waits for both streams' end.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The service did not become healthy within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
