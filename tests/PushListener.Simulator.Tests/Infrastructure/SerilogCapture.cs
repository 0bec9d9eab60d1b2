using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>
/// The host's Serilog logger replaced by one that keeps the request log's lines (the request log writes to Serilog
/// directly, not through the framework's providers): <c>s.AddSingleton(capture.HostLogger)</c>.
/// </summary>
internal sealed class SerilogCapture : ILogEventSink
{
    public SerilogCapture() =>
        HostLogger = new PushListener.Hosting.HostLogger(new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger());

    public PushListener.Hosting.HostLogger HostLogger { get; }

    /// <summary>The request log's lines (Serilog's request logging), rendered with their properties.</summary>
    public ConcurrentQueue<string> RequestLines { get; } = new();

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.Properties.TryGetValue("SourceContext", out var source) && source.ToString() == "\"Serilog.AspNetCore.RequestLoggingMiddleware\"")
        {
            RequestLines.Enqueue(Render(logEvent));
        }
    }

    private static string Render(LogEvent logEvent) =>
        logEvent.Level + " " + logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture) + " " + string.Join(' ', logEvent.Properties.Select(p => p.Key + "=" + p.Value));
}
