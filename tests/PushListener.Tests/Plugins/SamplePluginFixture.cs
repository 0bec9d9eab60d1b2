using System.Diagnostics;
using System.Text;

namespace PushListener.Tests.Plugins;

/// <summary>
/// Publishes samples/EventCounterPlugin once into a temporary plugins folder, the way an operator deploys a plugin, and
/// hands out scratch folders under the same temporary root.
/// </summary>
public sealed class SamplePluginFixture : IDisposable
{
    public const string PluginName = "EventCounterPlugin";

    // Publish in the configuration the tests were built in: after the solution build everything is up to date.
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public SamplePluginFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "pushlistener-plugin-tests", Guid.NewGuid().ToString("N"));
        PluginsFolder = Path.Combine(Root, "plugins");
        PluginFolder = Path.Combine(PluginsFolder, PluginName);
        var project = Path.Combine(RepositoryRoot, "samples", PluginName, PluginName + ".csproj");
        Dotnet.Run(RepositoryRoot, TimeSpan.FromMinutes(5), "publish", project, "-c", Configuration, "-o", PluginFolder, "--nologo", "--disable-build-servers", "-v", "quiet");
    }

    /// <summary>The folder holding PushListener.sln, found from the test assembly's folder so that no path is hard-coded.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The temporary root; deleted on dispose.</summary>
    public string Root { get; }

    /// <summary>The plugins folder holding the published sample (and nothing else).</summary>
    public string PluginsFolder { get; }

    /// <summary>The published sample: {PluginsFolder}/EventCounterPlugin.</summary>
    public string PluginFolder { get; }

    /// <summary>A new empty folder under <see cref="Root"/>.</summary>
    public string NewFolder()
    {
        var folder = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Loaded plugin assemblies stay mapped for the life of the test process; a temp folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PushListener.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No PushListener.sln above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class SamplePluginGroup : ICollectionFixture<SamplePluginFixture>
{
    public const string Name = "Sample plugin";
}

/// <summary>Runs the dotnet CLI (the one running the tests) and, for the host, PushListener.dll.</summary>
internal static class Dotnet
{
    public static string Executable { get; } = FindExecutable();

    /// <summary>Runs dotnet with <paramref name="arguments"/>; throws with the output unless it exits 0.</summary>
    public static string Run(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var (exitCode, output) = RunRaw(workingDirectory, timeout, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} exited with {exitCode}:{Environment.NewLine}{output}");
        }

        return output;
    }

    /// <summary>Runs dotnet with <paramref name="arguments"/> and returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) RunRaw(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Lingering MSBuild nodes would inherit our pipes and keep the output open long after the build.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}:{Environment.NewLine}{output}");
        }

        // The parameterless wait drains the asynchronous output readers.
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        return "dotnet";
    }
}
