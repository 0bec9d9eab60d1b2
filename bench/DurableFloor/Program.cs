using System.Globalization;
using System.Text;
using PushListener.Bench.DurableFloor;

// The listener's SOAP 1.1 OK reply, byte for byte, as in bench/Baseline; bench/run.sh checks every app answers the same.
var reply = Encoding.UTF8.GetBytes(
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" " +
    "xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:SendNotificationResult><m:SubscriptionStatus>OK</m:SubscriptionStatus>" +
    "</m:SendNotificationResult></s:Body></s:Envelope>");
const int MaxBody = 1024 * 1024;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddHealthChecks();

var mode = builder.Configuration["Floor:Mode"] ?? "sqlite";
var folder = Path.GetFullPath(builder.Configuration["Floor:DataFolder"] ?? "floor-data");
var writers = int.Parse(builder.Configuration["Floor:Writers"] ?? "1", CultureInfo.InvariantCulture);
if (writers is < 1 or > 64)
{
    throw new InvalidOperationException($"Floor:Writers must be between 1 and 64 (got {writers}).");
}

Directory.CreateDirectory(folder);
var connectionString = mode.StartsWith("postgres", StringComparison.Ordinal)
    ? builder.Configuration.GetConnectionString("Floor")
        ?? throw new InvalidOperationException($"Floor:Mode={mode} needs ConnectionStrings:Floor.")
    : null;
await using var dataSource = connectionString is null ? null : Npgsql.NpgsqlDataSource.Create(connectionString);
// postgres-append and postgres-inbox: the bodies in the entries' rows, or apart in a table of their own.
var bodiesApart = bool.Parse(builder.Configuration["Floor:BodiesApart"] ?? "false");
if (mode is "postgres-append" or "postgres-inbox")
{
    PostgresAppendCommitter.CreateSchema(dataSource!, bodiesApart);
}

// postgres-inbox: one dispatcher per instance, fed by every writer, opened once the schema exists.

await using var dispatcher = mode == "postgres-inbox" ? new PostgresDispatcher(connectionString!) : null;
// Each writer its own store: its own file or SQLite database, or its own PostgreSQL connection to the one table.
var committers = Enumerable.Range(0, writers).Select(i => mode switch
{
    "sqlite" => new SqliteCommitter(Path.Combine(folder, $"floor-{i}.db"), indexed: false),
    "sqlite-indexed" => new SqliteCommitter(Path.Combine(folder, $"floor-{i}.db"), indexed: true),
    "file" => new FileCommitter(Path.Combine(folder, $"floor-{i}.log"), ring: false),
    "file-ring" => new FileCommitter(Path.Combine(folder, $"floor-{i}.log"), ring: true),
    "postgres" => new PostgresCommitter(dataSource!),
    "postgres-append" or "postgres-inbox" => (IBatchCommitter)new PostgresAppendCommitter(dataSource!, bodiesApart, dispatcher),
    _ => throw new InvalidOperationException(
        $"Floor:Mode must be sqlite, sqlite-indexed, file, file-ring, postgres, postgres-append or postgres-inbox (got '{mode}')."),
}).ToList();
await using var log = new GroupCommitLog(committers, $"floor {mode}");

var app = builder.Build();
app.MapPost("/ews/notifications", async context =>
{
    // The whole body, kept until it is durable (the baseline reads it and drops it).
    var body = await ReadBodyAsync(context.Request, context.RequestAborted);
    if (body is null)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        return;
    }

    await log.AppendAsync(body, context.RequestAborted);
    context.Response.StatusCode = StatusCodes.Status200OK;
    context.Response.ContentType = "text/xml; charset=utf-8";
    context.Response.ContentLength = reply.Length;
    await context.Response.Body.WriteAsync(reply, context.RequestAborted);
});
// Commits, writes and the writer's busy time so far (bench/run.sh --floor reads batch sizes from the difference), then
// the entries the dispatcher claimed and completed (postgres-inbox; 0 otherwise).
app.MapGet("/floor/stats", () =>
{
    var (commits, writes, busy) = log.Stats;
    var (claimed, completed) = dispatcher?.Stats ?? (0, 0);
    return string.Create(CultureInfo.InvariantCulture, $"{commits} {writes} {busy} {claimed} {completed}\n");
});
app.MapHealthChecks("/healthz");
await app.RunAsync();

static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
{
    if (request.ContentLength is { } length)
    {
        if (length > MaxBody)
        {
            return null;
        }

        var body = new byte[length];
        var read = await request.Body.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: true, cancellationToken);
        return read == body.Length ? body : null;
    }

    using var buffer = new MemoryStream();
    await request.Body.CopyToAsync(buffer, cancellationToken);
    return buffer.Length > MaxBody ? null : buffer.ToArray();
}
