using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Identity.Client;
using PushListener.Simulator.Exchange;
using PushListener.Simulator.Tests.Infrastructure;
using PushListener.Subscriptions.Management;

namespace PushListener.Simulator.Tests;

/// <summary>
/// The real listener (in memory, on a fake clock) managing subscriptions against the simulator's fake Exchange (Kestrel
/// on loopback, pushing back through a relay to whichever listener is current).
/// </summary>
internal sealed class ManagedSubscriptionRig : IAsyncDisposable
{
    public const string Password = "Pa55-w0rd-NEVER-SHOWN-7f3c";
    public const string ClientSecret = "client-secret-NEVER-SHOWN-91ab";
    public const string ApiKey = "admin-key-0123456789abcdef0123456789";
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, string?> _settings;
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "pushsim-tests", "managed-" + Guid.NewGuid().ToString("N"));

    private ManagedSubscriptionRig(FakeExchangeHost exchange, ListenerRelay relay, Dictionary<string, string?> settings)
    {
        Exchange = exchange;
        Relay = relay;
        _settings = settings;
    }

    public FakeExchangeHost Exchange { get; }

    public FakeExchange Fake => Exchange.Exchange;

    public ListenerRelay Relay { get; }

    public RealListener Listener { get; private set; } = null!;

    public FakeTimeProvider Clock { get; private set; } = null!;

    public LifecycleRecorder Recorder { get; private set; } = null!;

    public LogCapture Logs { get; } = new();

    /// <summary>What the host's Serilog logger writes (the request log goes there, not through the framework's providers).</summary>
    public SerilogCapture SerilogEvents { get; } = new();

    public SubscriptionManager Manager => Listener.Services.GetRequiredService<SubscriptionManager>();

    public static async Task<ManagedSubscriptionRig> StartAsync(Func<Uri, IReadOnlyDictionary<string, string?>>? extra = null, bool clientCredentials = false)
    {
        var relay = new ListenerRelay();
        var exchange = await FakeExchangeHost.StartAsync(
            new FakeExchangeOptions
            {
                Listen = new Uri("http://127.0.0.1:0"),
                Users = new Dictionary<string, string> { ["svc@contoso.com"] = Password },
                Clients = new Dictionary<string, string> { ["11111111-2222-3333-4444-555555555555"] = ClientSecret },
                PushTimeout = TimeSpan.FromSeconds(10),
            },
            new HttpClient(relay),
            TimeProvider.System,
            CancellationToken.None);
        var settings = new Dictionary<string, string?>
        {
            ["PushListener:Admin:ApiKey"] = ApiKey,
            ["PushListener:Subscriptions:PublicBaseUrl"] = "http://localhost",
            ["PushListener:Subscriptions:Manager:CheckInterval"] = "00:00:10",
            ["PushListener:Subscriptions:Credentials:svc:Kind"] = "Basic",
            ["PushListener:Subscriptions:Credentials:svc:Username"] = "svc@contoso.com",
            ["PushListener:Subscriptions:Credentials:svc:Password"] = Password,
            // A service account reaches other mailboxes by impersonation (the ApplicationImpersonation role).
            ["PushListener:Subscriptions:Credentials:svc:Impersonate"] = "true",
            ["PushListener:Subscriptions:Credentials:app:Kind"] = "ClientCredentials",
            ["PushListener:Subscriptions:Credentials:app:TenantId"] = "contoso.onmicrosoft.com",
            ["PushListener:Subscriptions:Credentials:app:ClientId"] = "11111111-2222-3333-4444-555555555555",
            ["PushListener:Subscriptions:Credentials:app:ClientSecret"] = ClientSecret,
            ["PushListener:Subscriptions:Credentials:app:Impersonate"] = "true",
            ["PushListener:Subscriptions:Registrations:alice:Mailbox"] = "alice@contoso.com",
            ["PushListener:Subscriptions:Registrations:alice:StatusFrequency"] = "1",
            ["PushListener:Subscriptions:Registrations:alice:Ews:Url"] = exchange.EwsUrl.AbsoluteUri,
            ["PushListener:Subscriptions:Registrations:alice:Ews:Credential"] = clientCredentials ? "app" : "svc",
        };
        foreach (var (key, value) in extra?.Invoke(exchange.EwsUrl) ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var rig = new ManagedSubscriptionRig(exchange, relay, settings);
        rig.StartListener(Start);
        return rig;
    }

    /// <summary>Starts a listener on the rig's data folder (after <see cref="StopListenerAsync"/>: a restart).</summary>
    public void StartListener(DateTimeOffset now)
    {
        Clock = new FakeTimeProvider(now);
        Recorder = new LifecycleRecorder();
        var listener = new RealListener().With("PushListener:Inbox:DataFolder", _dataFolder);
        foreach (var (key, value) in _settings)
        {
            listener.With(key, value);
        }

        var clock = Clock;
        var recorder = Recorder;
        var tokenRoute = new MsalToFakeExchange(Exchange.BaseUrl);
        listener.WithServices(s =>
        {
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
            s.AddNotificationHandler(recorder, o => o.Name = "recorder");
            s.AddSingleton<ILoggerProvider>(Logs);
            s.AddSingleton(SerilogEvents.HostLogger);
            s.Replace(ServiceDescriptor.Singleton<IMsalHttpClientFactory>(tokenRoute));
        });
        Listener = listener;
        Relay.Hold();
        Relay.Point(listener.Server.CreateHandler());
    }

    public async Task StopListenerAsync()
    {
        Relay.Point(null);
        await Listener.DisposeAsync();
    }

    /// <summary>The last watermark the listener stored for <paramref name="subscriptionId"/>, read from its SQLite file (call it while stopped).</summary>
    public async Task<string?> StoredWatermarkAsync(string subscriptionId)
    {
        var file = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dataFolder, "inbox.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(file.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT last_watermark FROM subscriptions WHERE subscription_id = $id";
        command.Parameters.AddWithValue("$id", subscriptionId);
        return await command.ExecuteScalarAsync() as string;
    }

    public HttpClient Admin()
    {
        var client = Listener.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    public async Task<List<ManagedSubscriptionView>> ListAsync()
    {
        using var client = Admin();
        return (await client.GetFromJsonAsync<List<ManagedSubscriptionView>>("/api/managed-subscriptions", Json))!;
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>Moves the listener's clock and runs one manager round.</summary>
    public async Task AdvanceAndCheckAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await Manager.RunRoundAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        Relay.Point(null);
        await Listener.DisposeAsync();
        await Exchange.DisposeAsync();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>MSAL's token requests to login.microsoftonline.com go to the fake Exchange's token endpoint instead.</summary>
    private sealed class MsalToFakeExchange(Uri fake) : IMsalHttpClientFactory, IDisposable
    {
        private readonly HttpClient _client = new(new Redirect(fake));

        public HttpClient GetHttpClient() => _client;

        public void Dispose() => _client.Dispose();

        private sealed class Redirect(Uri fake) : DelegatingHandler(new HttpClientHandler())
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                request.RequestUri = new Uri(fake, request.RequestUri!.PathAndQuery);
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
