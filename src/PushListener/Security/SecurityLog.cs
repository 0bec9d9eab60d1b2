namespace PushListener.Security;

/// <summary>Source-generated log methods of the sender restrictions.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(700, LogLevel.Warning, "Rejected a request from {Source}: {Reason}; further rejections from this source are summarised every {Interval}")]
    public static partial void FirstRejection(ILogger logger, string source, string reason, TimeSpan interval);

    [LoggerMessage(701, LogLevel.Warning, "Rejected {Count} request(s) from {Source} in the last {Elapsed}: {Reason}")]
    public static partial void Rejections(ILogger logger, long count, string source, TimeSpan elapsed, string reason);

    [LoggerMessage(702, LogLevel.Information, "Sender restrictions on {Path}: allowed networks {AllowedNetworks}; rate limit {RateLimit}")]
    public static partial void Configured(ILogger logger, string path, string allowedNetworks, string rateLimit);
}
