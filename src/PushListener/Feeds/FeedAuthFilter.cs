using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PushListener.Admin;

namespace PushListener.Feeds;

/// <summary>Who is calling the feeds API: the operator (admin key) or the consumer of one session (a feed's consumer key).</summary>
internal sealed record FeedCaller(bool IsAdmin, string? Session)
{
    public static FeedCaller Of(HttpContext context) => (FeedCaller)context.Items[typeof(FeedCaller)]!;

    /// <summary>The admin key reaches every feed; a consumer key reaches every live feed of its session.</summary>
    public bool CanUse(FeedInfo feed) => IsAdmin || string.Equals(Session, feed.Session, StringComparison.Ordinal);
}

/// <summary>
/// Admits <c>/api/feeds</c> requests carrying the admin key or a live feed's consumer key (<c>X-Api-Key</c> or
/// <c>Authorization: Bearer</c>). The admin key is compared in constant time; consumer keys are looked up by their
/// SHA-256, the only form in which they are kept. Keys are never logged.
/// </summary>
internal sealed partial class FeedAuthFilter(IOptions<AdminOptions> admin, FeedRegistry registry, ILogger<FeedAuthFilter> logger) : IEndpointFilter
{
    private readonly byte[] _adminKey = SHA256.HashData(Encoding.UTF8.GetBytes(admin.Value.ApiKey ?? string.Empty));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!await registry.Loaded.WaitAsync(http.RequestAborted))
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Feeds are not available: the inbox store cannot hold them.");
        }

        var presented = http.Request.Headers["X-Api-Key"].ToString();
        if (presented.Length == 0 && http.Request.Headers.Authorization.ToString() is { } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }

        if (presented.Length == 0)
        {
            Rejected(logger, http.Connection.RemoteIpAddress, "no key");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A key is required: send the admin key or a feed's consumer key in the X-Api-Key header.");
        }

        if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _adminKey))
        {
            http.Items[typeof(FeedCaller)] = new FeedCaller(true, null);
        }
        else if (registry.FindByKey(presented) is { } feed)
        {
            http.Items[typeof(FeedCaller)] = new FeedCaller(false, feed.Session);
        }
        else
        {
            Rejected(logger, http.Connection.RemoteIpAddress, "unknown key");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The key is not valid (or its feed was released).");
        }

        return await next(context);
    }

    [LoggerMessage(810, LogLevel.Warning, "Feeds API request from {RemoteAddress} refused: {Reason}")]
    private static partial void Rejected(ILogger logger, System.Net.IPAddress? remoteAddress, string reason);
}
