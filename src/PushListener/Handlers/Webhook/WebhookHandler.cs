using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using PushListener.Hosting;

namespace PushListener.Handlers.Webhook;

/// <summary>
/// POSTs each notification (or error push) as JSON, schema <c>pushlistener.notification/v1</c>, to every configured URL,
/// signed the Standard Webhooks way. Each target gets <see cref="WebhookSettings.MaxAttempts"/> attempts with
/// exponential backoff; if any target still fails, the handler throws so the pipeline records it as failed (and a
/// retrying dispatcher can deliver again). It never votes Unsubscribe.
/// </summary>
internal sealed class WebhookHandler : INotificationHandler, IDisposable
{
    /// <summary>The named <see cref="HttpClient"/> used when <see cref="IHttpClientFactory"/> is registered.</summary>
    public const string HttpClientName = "PushListener.Webhook";

    private static readonly ResiliencePropertyKey<Delivery> DeliveryKey = new("PushListener.Webhook.Delivery");
    private static readonly ProductInfoHeaderValue UserAgent = new("PushListener-Webhook", "1");

    private readonly WebhookTarget[] _targets;
    private readonly WebhookSigner _signer;
    private readonly ResiliencePipeline<HttpStatusCode> _resilience;
    private readonly TimeProvider _time;
    private readonly IHttpClientFactory? _clients;
    private readonly HttpClient? _ownClient;
    private readonly int _failureLogThreshold;

    public WebhookHandler(WebhookSettings settings, string name, IHttpClientFactory? clients, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);

        // Start-up validation normally reports these first; this keeps a handler built another way from running half-configured.
        var errors = settings.Validate($"{PushListenerOptions.SectionName}:Handlers:{name}:Settings").ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        _targets = settings.Urls.Select(url => WebhookSettings.TryParseUrl(url, out var uri) ? new WebhookTarget(uri) : throw new UnreachableException()).ToArray();
        _signer = new WebhookSigner(settings.Secret!);
        _time = time;
        _failureLogThreshold = settings.FailureLogThreshold;
        _resilience = BuildResilience(settings, time);
        _clients = clients;

        // Without a factory, one long-lived client whose pooled connections are recycled so DNS changes are seen.
        _ownClient = clients is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan }
            : null;
    }

    /// <summary>Creates the handler for a configuration entry, using the host's <see cref="IHttpClientFactory"/> when there is one.</summary>
    public static WebhookHandler Create(IServiceProvider services, WebhookSettings settings, string name) =>
        new(settings, name, services.GetService<IHttpClientFactory>(), services.GetService<TimeProvider>() ?? TimeProvider.System);

    /// <summary>Forwards lifecycle events too, so receivers learn about gaps and dead subscriptions.</summary>
    public NotificationFilter Filter => NotificationFilter.Everything;

    public async ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var token = context.CancellationToken;
        var body = WebhookPayload.Serialize(context);

        // Every call carries a W3C traceparent (HttpClient sends the current Activity's): the delivery's when tracing
        // runs, else one made here, so a receiver can always tie its logs to this delivery.
        using var traceFallback = Activity.Current is null ? new Activity("PushListener.Webhook").SetIdFormat(ActivityIdFormat.W3C).Start() : null;

        // Factory clients are cheap and meant to be short-lived: taking one per notification lets the factory rotate handlers.
        var client = _clients?.CreateClient(HttpClientName) ?? _ownClient!;
        var deliveries = new Task<Delivery>[_targets.Length];
        for (var i = 0; i < _targets.Length; i++)
        {
            deliveries[i] = DeliverAsync(new Delivery(this, client, _targets[i], context.Push.DeliveryId, body, context.Logger), token);
        }

        var done = await Task.WhenAll(deliveries);
        var failed = done.Where(d => d.Failure is not null).ToArray();
        if (failed.Length == 0)
        {
            return HandlerResult.Continue;
        }

        var summary = string.Join("; ", failed.Select(d => $"{d.Target.Display}: {d.Failure} after {d.Attempts} attempt(s)"));
        throw new HttpRequestException(
            $"Webhook delivery {context.Push.DeliveryId} failed for {failed.Length} of {done.Length} target(s): {summary}",
            failed.Select(d => d.Exception).FirstOrDefault(e => e is not null),
            failed.Length == 1 ? failed[0].Status : null);
    }

    public void Dispose() => _ownClient?.Dispose();

    private async Task<Delivery> DeliverAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        var resilienceContext = ResilienceContextPool.Shared.Get(cancellationToken);
        resilienceContext.Properties.Set(DeliveryKey, delivery);
        string failure;
        try
        {
            var status = await _resilience.ExecuteAsync(static (context, d) => d.Handler.SendAsync(d, context.CancellationToken), resilienceContext, delivery);
            if (IsSuccess(status))
            {
                delivery.Target.Succeeded(delivery.Logger);
                return delivery;
            }

            delivery.Status = status;
            failure = Describe(status);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            delivery.Exception = ex;
            failure = Describe(ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }

        delivery.Failure = failure;
        delivery.Target.Failed(delivery.Logger, failure, _failureLogThreshold);
        return delivery;
    }

    private async ValueTask<HttpStatusCode> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        delivery.Attempts++;

        // Signed per attempt: receivers reject stale timestamps, and a retry after a long backoff must still pass.
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Target.Uri);
        request.Content = new ByteArrayContent(delivery.Body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.Id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", _signer.Sign(delivery.Id, timestamp, delivery.Body));

        // Only the status matters; the receiver's body is not read.
        using var response = await delivery.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return response.StatusCode;
    }

    private static ResiliencePipeline<HttpStatusCode> BuildResilience(WebhookSettings settings, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpStatusCode> { TimeProvider = time };
        if (settings.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpStatusCode>
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.InitialBackoff,
                MaxDelay = settings.MaxBackoff,
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.CancellationToken)),
                OnRetry = static args =>
                {
                    var delivery = args.Context.Properties.GetValue(DeliveryKey, null!);
                    WebhookLog.Retrying(delivery.Logger, delivery.Id, delivery.Target.Display, args.AttemptNumber + 1, Describe(args.Outcome), args.RetryDelay);
                    return default;
                },
            });
        }

        // Added after the retry, so it sits inside it: the timeout is per attempt.
        builder.AddTimeout(settings.RequestTimeout);
        return builder.Build();
    }

    private static bool ShouldRetry(Outcome<HttpStatusCode> outcome, CancellationToken cancellationToken) => outcome.Exception switch
    {
        null => IsTransient(outcome.Result),
        HttpRequestException or TimeoutRejectedException => true,

        // HttpClient's own timeout (a factory client's default 100 s), not the caller giving up.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and <= 299;

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static string Describe(Outcome<HttpStatusCode> outcome) =>
        outcome.Exception is { } exception ? Describe(exception) : Describe(outcome.Result);

    private static string Describe(HttpStatusCode status) => "HTTP " + ((int)status).ToString(CultureInfo.InvariantCulture);

    private static string Describe(Exception exception) => exception switch
    {
        TimeoutRejectedException timeout => $"no answer within {timeout.Timeout}",
        HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => $"{http.HttpRequestError}: {http.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    /// <summary>One notification on its way to one target.</summary>
    private sealed class Delivery(WebhookHandler handler, HttpClient client, WebhookTarget target, string id, byte[] body, ILogger logger)
    {
        public WebhookHandler Handler { get; } = handler;

        public HttpClient Client { get; } = client;

        public WebhookTarget Target { get; } = target;

        public string Id { get; } = id;

        public byte[] Body { get; } = body;

        public ILogger Logger { get; } = logger;

        public int Attempts { get; set; }

        public HttpStatusCode? Status { get; set; }

        public string? Failure { get; set; }

        public Exception? Exception { get; set; }
    }
}
