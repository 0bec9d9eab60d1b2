using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>
/// The real PushListener host, in memory (TestServer) or, after <see cref="OnLoopback"/>, on a real 127.0.0.1 socket.
/// Each instance has its own inbox data folder, deleted with it.
/// </summary>
public sealed class RealListener : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Action<IServiceCollection>> _services = [];
    private bool _loopback;

    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "pushsim-tests", Guid.NewGuid().ToString("N"));

    public RealListener With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    public RealListener WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>Serve on Kestrel at 127.0.0.1 and a free port instead of TestServer.</summary>
    public RealListener OnLoopback()
    {
        _loopback = true;
        UseKestrel();
        return this;
    }

    /// <summary>The endpoint URL: http://localhost/... in memory, the real socket's address on loopback.</summary>
    public Uri EndpointUrl
    {
        get
        {
            StartServer();
            if (!_loopback)
            {
                return new Uri("http://localhost/ews/notifications");
            }

            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(new Uri(addresses.First()), "/ews/notifications");
        }
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
        // Never the configured localhost:5080: tests run in parallel.
        builder.UseSetting("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:0");
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
