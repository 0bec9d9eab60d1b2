using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.Options;
using PushListener.Hosting;

namespace PushListener.Subscriptions;

/// <summary>
/// Request logging without callback tokens: a path <c>{Endpoint:Path}/{token}</c> is logged as <c>{Endpoint:Path}/***</c>,
/// since the token is what lets a sender in (as good as a password).
/// </summary>
internal sealed class CallbackTokenRedaction(IOptions<PushListenerOptions> options) : IHttpLoggingInterceptor
{
    private readonly string _prefix = options.Value.Endpoint.Path.TrimEnd('/') + "/";

    public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
    {
        ArgumentNullException.ThrowIfNull(logContext);
        var path = logContext.HttpContext.Request.Path.Value;
        if (path is not null && path.Length > _prefix.Length && path.StartsWith(_prefix, StringComparison.OrdinalIgnoreCase) && logContext.IsAnyEnabled(HttpLoggingFields.RequestPath))
        {
            logContext.Disable(HttpLoggingFields.RequestPath);
            logContext.AddParameter(nameof(HttpRequest.Path), _prefix + "***");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext) => ValueTask.CompletedTask;
}
