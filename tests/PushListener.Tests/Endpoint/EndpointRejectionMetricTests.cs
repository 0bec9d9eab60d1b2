using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using PushListener.Security;
using PushListener.Telemetry;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Endpoint;

/// <summary>
/// Every HTTP-level refusal of the endpoint (400, 408, 413, 415) is counted on <c>pushlistener.rejected_requests</c> with
/// a reason, once, and in the admin API's totals.
/// </summary>
public sealed class EndpointRejectionMetricTests
{
    /// <summary>Set on a request to make its body fail as Kestrel's body reader fails: "400", "408" or "io".</summary>
    private const string BodyFailureHeader = "X-Test-Body-Failure";

    [Fact]
    public async Task HttpRejections_AreCountedOnceEach_ByReason()
    {
        using var factory = new ListenerFactory()
            .With("PushListener:Handlers:log:Enabled", "false")
            .With("PushListener:Endpoint:MaxRequestBytes", "4096")
            .WithServices(s => s.AddSingleton<IStartupFilter>(new FailingBodies()));
        using var client = factory.CreateClient();
        using var rejected = new MetricCollector<long>(factory.Services.GetRequiredService<IMeterFactory>(), PushListenerMetrics.MeterName, RejectionCounter.InstrumentName);
        var push = PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1);

        await ExpectAsync(client, Soap.Post(push, contentType: "application/json"), HttpStatusCode.UnsupportedMediaType);
        await ExpectAsync(client, Encoded(Soap.Post(push), "compress"), HttpStatusCode.UnsupportedMediaType);
        await ExpectAsync(client, Encoded(Soap.Post(push), "gzip"), HttpStatusCode.BadRequest); // not gzip data
        await ExpectAsync(client, Soap.Post(new byte[5000]), HttpStatusCode.RequestEntityTooLarge);
        await ExpectAsync(client, Failing(Soap.Post(push), "400"), HttpStatusCode.BadRequest);
        await ExpectAsync(client, Failing(Soap.Post(push), "io"), HttpStatusCode.BadRequest);
        await ExpectAsync(client, Failing(Soap.Post(push), "408"), HttpStatusCode.RequestTimeout);
        await ExpectAsync(client, Soap.Post(push), HttpStatusCode.OK);

        Assert.Equal(
            ["unsupported_media_type", "unsupported_content_encoding", "invalid_content_encoding", "body_too_large", "bad_framing", "bad_framing", "body_timeout"],
            rejected.GetMeasurementSnapshot().Select(m =>
            {
                Assert.Equal(1, m.Value);
                return (string)m.Tags["reason"]!;
            }));
        var totals = factory.Services.GetRequiredService<RejectionCounter>().Snapshot().Totals;
        Assert.Equal(2, totals[RejectionReason.BadFraming]);
        Assert.Equal(1, totals[RejectionReason.BodyTooLarge]);
        Assert.Equal(0, totals[RejectionReason.NotAllowed]);
    }

    private static async Task ExpectAsync(HttpClient client, HttpRequestMessage request, HttpStatusCode expected)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(expected, response.StatusCode);
        }
    }

    private static HttpRequestMessage Encoded(HttpRequestMessage request, string coding)
    {
        request.Content!.Headers.ContentEncoding.Add(coding);
        return request;
    }

    private static HttpRequestMessage Failing(HttpRequestMessage request, string how)
    {
        request.Headers.Add(BodyFailureHeader, how);
        return request;
    }

    /// <summary>Replaces the body of a request carrying <see cref="BodyFailureHeader"/> with one that fails as Kestrel's does.</summary>
    private sealed class FailingBodies : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                Exception? failure = context.Request.Headers[BodyFailureHeader].ToString() switch
                {
                    // Kestrel's own messages and status codes for a broken chunked body and for MinRequestBodyDataRate.
                    "400" => new BadHttpRequestException("Bad chunk size data.", StatusCodes.Status400BadRequest),
                    "408" => new BadHttpRequestException("Reading the request body timed out due to data arriving too slowly. See MinRequestBodyDataRate.", StatusCodes.Status408RequestTimeout),
                    "io" => new IOException("The request body ended early."),
                    _ => null,
                };
                if (failure is not null)
                {
                    context.Request.Body = new FailingStream(failure);
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private sealed class FailingStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw failure;

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw failure;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
