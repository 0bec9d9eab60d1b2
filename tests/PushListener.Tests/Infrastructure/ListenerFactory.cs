using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PushListener.Tests.Infrastructure;

/// <summary>The real host in memory, with settings and services overridable per test.</summary>
public sealed class ListenerFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Action<IServiceCollection>> _services = [];

    /// <summary>A fresh data folder per factory, so inboxes never meet; deleted with the factory.</summary>
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "pushlistener-tests", Guid.NewGuid().ToString("N"));

    public ListenerFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    public ListenerFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("PushListener:Inbox:DataFolder", DataFolder);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }
}
