using Serilog.Events;

namespace PushListener.Telemetry;

/// <summary>
/// The level of each request's one log line (Serilog's request logging): a push answered OK at
/// <see cref="LoggingOptions.PushRequestLevel"/> (Debug by default), an Unsubscribe answer at Information, faults and
/// refusals at Warning, health checks and metric scrapes at Debug, server errors at Error (a request the client abandoned
/// at Information), everything else at Information.
/// </summary>
internal static class RequestLogLevels
{
    public static LogEventLevel For(HttpContext context, Exception? exception, LogEventLevel pushLevel)
    {
        if (exception is not null)
        {
            // The client hung up (a load generator stopping, Exchange giving up): not a server error.
            return exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested ? LogEventLevel.Information : LogEventLevel.Error;
        }

        switch (PushTelemetry.OutcomeOf(context))
        {
            case PushOutcome.Ok or PushOutcome.Duplicate:
                return pushLevel;
            case PushOutcome.Unsubscribe:
                return LogEventLevel.Information;
            case PushOutcome.Fault or PushOutcome.Refused:
                return LogEventLevel.Warning;
        }

        var status = context.Response.StatusCode;
        if (status >= 500)
        {
            return LogEventLevel.Error;
        }

        var path = context.Request.Path;
        if (path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
        {
            return LogEventLevel.Debug;
        }

        return status >= 400 ? LogEventLevel.Warning : LogEventLevel.Information;
    }
}
