using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PushListener.Protocol;

namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>One POST as the fake listener saw it.</summary>
internal sealed record Arrival(long Timestamp, int Index, string? SubscriptionId, PushRequest? Request, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public TimeSpan Since(Arrival earlier) => Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp);
}

/// <summary>
/// A tiny Kestrel app on 127.0.0.1 and a free port that records every POST (time, parsed request, headers) and answers
/// as told: Unsubscribe, HTTP 500, a SOAP fault, nothing at all... <see cref="Arrival.Index"/> counts the POSTs of the
/// same subscription, so a behaviour can fail the first few and then recover.
/// </summary>
internal sealed class LoopbackListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _perSubscription = new(StringComparer.Ordinal);

    private LoopbackListener(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<Arrival> Arrivals { get; } = new();

    public IReadOnlyList<Arrival> Of(string subscriptionId) => [.. Arrivals.Where(a => a.SubscriptionId == subscriptionId).OrderBy(a => a.Timestamp)];

    public static async Task<LoopbackListener> StartAsync(Func<Arrival, HttpContext, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Nothing from appsettings files that the listener's build copied beside the tests (its Kestrel endpoint).
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        LoopbackListener? self = null;
        app.MapPost("/ews/notifications", async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.ToArray();
            PushRequest? request = null;
            try
            {
                request = SendNotificationReader.Read(body);
            }
            catch (PushRequestException)
            {
            }

            var subscription = request?.Messages[0].SubscriptionId;
            var index = subscription is null ? 0 : self!._perSubscription.AddOrUpdate(subscription, 0, (_, n) => n + 1);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var arrival = new Arrival(Stopwatch.GetTimestamp(), index, subscription, request, body, headers);
            self!.Arrivals.Enqueue(arrival);
            await answer(arrival, context);
        });
        await app.StartAsync();
        self = new LoopbackListener(app, new Uri(new Uri(app.Urls.First()), "/ews/notifications"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>Answers a fake listener can give.</summary>
internal static class Answers
{
    public static Task Status(HttpContext context, SubscriptionStatus status, int httpStatus = 200)
    {
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = "text/xml; charset=utf-8";
        return context.Response.Body.WriteAsync(SendNotificationWriter.Result(SoapVersion.Soap11, status)).AsTask();
    }

    public static Task Ok(HttpContext context) => Status(context, SubscriptionStatus.OK);

    public static Task Unsubscribe(HttpContext context) => Status(context, SubscriptionStatus.Unsubscribe);

    public static Task Fault(HttpContext context)
    {
        context.Response.StatusCode = 500;
        context.Response.ContentType = "text/xml; charset=utf-8";
        return context.Response.Body.WriteAsync(SendNotificationWriter.Fault(SoapVersion.Soap11, FaultCode.Receiver, "The inbox is full.")).AsTask();
    }

    public static Task ServerError(HttpContext context)
    {
        context.Response.StatusCode = 500;
        return Task.CompletedTask;
    }

    /// <summary>Holds the request until the client gives up.</summary>
    public static async Task Never(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static Task Text(HttpContext context, int httpStatus, string body)
    {
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = "text/xml; charset=utf-8";
        return context.Response.WriteAsync(body);
    }
}
