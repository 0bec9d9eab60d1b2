using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace PushListener.Tests.Infrastructure;

/// <summary>
/// The host's Serilog logger replaced by one that records every event (the request log writes to Serilog directly, not
/// through the framework's providers): <c>factory.WithServices(s => s.AddSingleton(capture.HostLogger))</c>.
/// </summary>
internal sealed class SerilogCapture : ILogEventSink
{
    public SerilogCapture() =>
        HostLogger = new PushListener.Hosting.HostLogger(new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger());

    public PushListener.Hosting.HostLogger HostLogger { get; }

    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public IEnumerable<LogEvent> RequestLines => Events.Where(e => e.Properties.TryGetValue("SourceContext", out var source) && source.ToString() == "\"Serilog.AspNetCore.RequestLoggingMiddleware\"");

    public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
}
