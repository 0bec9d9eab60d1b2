using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace PushListener.Tests.Handlers.Webhook;

/// <summary>
/// A real HTTP receiver on loopback (Kestrel on an ephemeral port) that records every request and answers as scripted:
/// 200 unless told otherwise for a path.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<ReceivedRequest> _requests = [];
    private readonly Dictionary<string, Queue<Reply>> _scripts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _always = new(StringComparer.Ordinal);

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Base address, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        // The empty builder reads no appsettings.json: the host's copy in the test folder would bind Kestrel to port 5080.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    public Uri UrlFor(string path) => new(BaseAddress, path.TrimStart('/'));

    /// <summary>The next answers for <paramref name="path"/>, in order; after them, the default.</summary>
    public void Script(string path, params Reply[] replies)
    {
        lock (_lock)
        {
            if (!_scripts.TryGetValue(path, out var queue))
            {
                _scripts[path] = queue = new Queue<Reply>();
            }

            foreach (var reply in replies)
            {
                queue.Enqueue(reply);
            }
        }
    }

    /// <summary>Answers every later request to <paramref name="path"/> with <paramref name="status"/> (after any script).</summary>
    public void AlwaysAnswer(string path, int status)
    {
        lock (_lock)
        {
            _always[path] = status;
        }
    }

    public IReadOnlyList<ReceivedRequest> RequestsTo(string path) => Requests.Where(r => r.Path == path).ToArray();

    /// <summary>Waits until at least <paramref name="count"/> requests arrived (deliveries may be asynchronous in the host).</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var requests = Requests;
            if (requests.Count >= count)
            {
                return requests;
            }

            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Expected {count} request(s) at the receiver, got {requests.Count}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var path = context.Request.Path.Value ?? "/";
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Reply reply;
        lock (_lock)
        {
            _requests.Add(new ReceivedRequest(path, headers, buffer.ToArray()));
            reply = _scripts.TryGetValue(path, out var queue) && queue.TryDequeue(out var next)
                ? next
                : new Reply(_always.TryGetValue(path, out var status) ? status : StatusCodes.Status200OK);
        }

        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
    }
}

/// <summary>One scripted answer: a status, optionally after a delay.</summary>
internal readonly record struct Reply(int Status, TimeSpan Delay = default)
{
    public static Reply[] Times(int count, int status) => Enumerable.Repeat(new Reply(status), count).ToArray();
}

/// <summary>A request as the receiver saw it.</summary>
internal sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No {name} header.");
}
