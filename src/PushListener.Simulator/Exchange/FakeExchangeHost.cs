using System.Net;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Exchange;

/// <summary>The fake Exchange on Kestrel: started, asked for its address, stopped.</summary>
internal sealed class FakeExchangeHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeExchangeHost(WebApplication app, FakeExchange exchange)
    {
        _app = app;
        Exchange = exchange;
    }

    public FakeExchange Exchange { get; }

    /// <summary>The address it listens at (the real port when the options asked for port 0).</summary>
    public Uri BaseUrl => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>The EWS endpoint, <c>{BaseUrl}/EWS/Exchange.asmx</c>.</summary>
    public Uri EwsUrl => new(BaseUrl, FakeExchangeEndpoints.EwsPath);

    /// <param name="options">How it behaves.</param>
    /// <param name="pushClient">The client pushes go out with (tests pass an in-memory listener's); null for real sockets.</param>
    /// <param name="time">Time for heartbeats and retries.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<FakeExchangeHost> StartAsync(FakeExchangeOptions options, HttpClient? pushClient, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        // Nothing from an appsettings.json beside the binary (a listener's Kestrel endpoint would take over the port).
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        var address = options.Listen.IsLoopback || !IPAddress.TryParse(options.Listen.Host, out var parsed) ? IPAddress.Loopback : parsed;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, options.Listen.Port));
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        var sender = new ExchangeSender(pushClient ?? ExchangeSender.CreateHttpClient(), options.PushTimeout, time);
        var exchange = new FakeExchange(options, sender);
        var app = builder.Build();
        app.MapFakeExchange(exchange);
        await app.StartAsync(cancellationToken);
        return new FakeExchangeHost(app, exchange);
    }

    public async ValueTask DisposeAsync()
    {
        await Exchange.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
