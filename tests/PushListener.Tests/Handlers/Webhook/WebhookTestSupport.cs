using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Handlers.Webhook;
using PushListener.Protocol;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Handlers.Webhook;

/// <summary>Settings, contexts and an independent signature check for the webhook tests.</summary>
internal static class WebhookTestSupport
{
    public static readonly byte[] SecretKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public static readonly string Secret = "whsec_" + Convert.ToBase64String(SecretKey);

    public static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 30, TimeSpan.Zero);

    /// <summary>Settings with tiny backoffs so retry tests stay fast.</summary>
    public static WebhookSettings Settings(params Uri[] urls) => new()
    {
        Urls = urls.Select(u => u.ToString()).ToList(),
        Secret = Secret,
        MaxAttempts = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    public static WebhookHandler Handler(WebhookSettings settings, IHttpClientFactory? clients = null) =>
        new(settings, "hook", clients, new FixedTimeProvider(Now));

    /// <summary>The first message of a fixture, with the metadata the host would attach.</summary>
    public static (NotificationMessage Message, PushMetadata Push) Read(string fixture, string deliveryId = "0HNTEST:00000001/0")
    {
        var request = SendNotificationReader.Read(Fixture.Bytes(fixture));
        return (request.Messages[0], new PushMetadata(deliveryId, Now.AddSeconds(-1), request.RequestServerVersion));
    }

    public static NotificationContext Context(string fixture, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var (message, push) = Read(fixture);
        return new NotificationContext(message, push, attempt: 1, logger ?? new RecordingLogger(), EmptyServices, cancellationToken);
    }

    /// <summary>The Standard Webhooks signature, computed here without the production signer.</summary>
    public static string ExpectedSignature(string id, string timestamp, byte[] body)
    {
        var content = Encoding.UTF8.GetBytes(id + "." + timestamp + ".").Concat(body).ToArray();
        using var hmac = new HMACSHA256(SecretKey);
        return "v1," + Convert.ToBase64String(hmac.ComputeHash(content));
    }

    private static IServiceProvider EmptyServices { get; } = new ServiceCollection().BuildServiceProvider();
}

/// <summary>A clock stopped at one instant; timers still run in real time.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Collects log events.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, int EventId, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            _entries.Add((logLevel, eventId.Id, formatter(state, exception)));
        }
    }
}
