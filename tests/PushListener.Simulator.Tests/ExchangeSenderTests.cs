using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using PushListener.Protocol;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Sending;
using PushListener.Simulator.Tests.Infrastructure;

namespace PushListener.Simulator.Tests;

public sealed class ExchangeSenderTests
{
    private static GeneratedPush Heartbeat(SoapVersion version = SoapVersion.Soap11) =>
        new PushGenerator(new GeneratorOptions { SoapVersion = version }).CreateSubscription(0).Heartbeat(DateTimeOffset.UtcNow);

    private static async Task<DeliveryResult> SendAsync(Uri url, GeneratedPush push, TimeSpan? timeout = null)
    {
        using var client = ExchangeSender.CreateHttpClient();
        var sender = new ExchangeSender(client, timeout ?? TimeSpan.FromSeconds(5), TimeProvider.System);
        return await sender.SendAsync(url, push, CancellationToken.None);
    }

    [Fact]
    public async Task SendAsync_Soap11_UsesExchangeOnlinesHeaders()
    {
        await using var listener = await LoopbackListener.StartAsync((_, c) => Answers.Ok(c));
        var push = Heartbeat();

        var result = await SendAsync(listener.Url, push);

        var arrival = Assert.Single(listener.Arrivals);
        Assert.Equal(DeliveryOutcome.Ok, result.Outcome);
        Assert.Equal("text/xml; charset=utf-8", arrival.Headers["Content-Type"]);
        Assert.Equal("http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification", arrival.Headers["SOAPAction"]);
        Assert.Equal("text/xml", arrival.Headers["Accept"]);
        Assert.Equal("gzip", arrival.Headers["Accept-Encoding"]);
        Assert.False(arrival.Headers.ContainsKey("Authorization"));
        Assert.Equal(push.Body.ToArray(), arrival.Body);
    }

    [Fact]
    public async Task SendAsync_Soap12_PutsTheActionInTheContentType()
    {
        await using var listener = await LoopbackListener.StartAsync((_, c) => Answers.Ok(c));

        await SendAsync(listener.Url, Heartbeat(SoapVersion.Soap12));

        var arrival = Assert.Single(listener.Arrivals);
        Assert.Equal("application/soap+xml; charset=utf-8; action=\"http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification\"", arrival.Headers["Content-Type"]);
        Assert.False(arrival.Headers.ContainsKey("SOAPAction"));
        Assert.Equal(SoapVersion.Soap12, arrival.Request!.SoapVersion);
    }

    // Outcomes by name: the enum is internal and xunit theories are public.
    public static TheoryData<string, string> Answered => new()
    {
        { "ok", nameof(DeliveryOutcome.Ok) },
        { "created-ok", nameof(DeliveryOutcome.Ok) },
        { "unsubscribe", nameof(DeliveryOutcome.Unsubscribe) },
        { "fault", nameof(DeliveryOutcome.Fault) },
        { "500", nameof(DeliveryOutcome.HttpError) },
        { "upper-case-unsubscribe", nameof(DeliveryOutcome.BadReply) },
        { "never", nameof(DeliveryOutcome.Timeout) },
    };

    [Theory]
    [MemberData(nameof(Answered))]
    public async Task SendAsync_ListenerAnswer_IsClassifiedAsExchangeWouldTreatIt(string answer, string outcome)
    {
        var expected = Enum.Parse<DeliveryOutcome>(outcome);
        await using var listener = await LoopbackListener.StartAsync((_, c) => answer switch
        {
            "ok" => Answers.Ok(c),
            "created-ok" => Answers.Status(c, SubscriptionStatus.OK, httpStatus: 201),
            "unsubscribe" => Answers.Unsubscribe(c),
            "fault" => Answers.Fault(c),
            "500" => Answers.ServerError(c),
            "upper-case-unsubscribe" => Answers.Text(c, 200, "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body><m:SendNotificationResult xmlns:m='http://schemas.microsoft.com/exchange/services/2006/messages'><m:SubscriptionStatus>UNSUBSCRIBE</m:SubscriptionStatus></m:SendNotificationResult></s:Body></s:Envelope>"),
            _ => Answers.Never(c),
        });

        // A short timeout only where it is the point: a cold first request can take a while on a busy machine.
        var result = await SendAsync(listener.Url, Heartbeat(), answer == "never" ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(10));

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(expected is DeliveryOutcome.Ok or DeliveryOutcome.Unsubscribe, result.IsAcknowledged);
    }

    [Fact]
    public async Task SendAsync_NothingListening_IsAConnectionError()
    {
        int port;
        using (var socket = new TcpListener(IPAddress.Loopback, 0))
        {
            socket.Start();
            port = ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        var result = await SendAsync(new Uri($"http://127.0.0.1:{port}/ews/notifications"), Heartbeat());

        Assert.Equal(DeliveryOutcome.ConnectionError, result.Outcome);
        Assert.Null(result.StatusCode);
    }
}
