using System.Buffers;
using System.Text;

// The listener's SOAP 1.1 OK reply, byte for byte (SendNotificationWriter.Result(Soap11, OK)); bench/run.sh checks both
// apps answer the same bytes before measuring.
var reply = Encoding.UTF8.GetBytes(
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" " +
    "xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:SendNotificationResult><m:SubscriptionStatus>OK</m:SubscriptionStatus>" +
    "</m:SendNotificationResult></s:Body></s:Envelope>");

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapPost("/ews/notifications", async context =>
{
    // Read the whole body (as the listener does) into a pooled buffer, then drop it.
    var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    try
    {
        while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
        {
        }
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }

    context.Response.StatusCode = StatusCodes.Status200OK;
    context.Response.ContentType = "text/xml; charset=utf-8";
    context.Response.ContentLength = reply.Length;
    await context.Response.Body.WriteAsync(reply, context.RequestAborted);
});
app.MapHealthChecks("/healthz");
await app.RunAsync();
