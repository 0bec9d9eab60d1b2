using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PushListener.Admin;

/// <summary>Admits admin requests that carry the configured key; compares in constant time and never logs the key.</summary>
internal sealed partial class ApiKeyFilter(IOptions<AdminOptions> options, ILogger<ApiKeyFilter> logger) : IEndpointFilter
{
    private readonly byte[] _key = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey ?? string.Empty));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var presented = request.Headers["X-Api-Key"].ToString();
        if (presented.Length == 0 && request.Headers.Authorization.ToString() is { } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }

        if (presented.Length == 0)
        {
            Rejected(logger, context.HttpContext.Connection.RemoteIpAddress, "no key");
            return ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "An API key is required: send it in the X-Api-Key header."));
        }

        // Hashing first makes the comparison constant-time whatever the presented key's length.
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _key))
        {
            Rejected(logger, context.HttpContext.Connection.RemoteIpAddress, "wrong key");
            return ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The API key is not valid."));
        }

        return next(context);
    }

    [LoggerMessage(400, LogLevel.Warning, "Admin API request from {RemoteAddress} refused: {Reason}")]
    private static partial void Rejected(ILogger logger, System.Net.IPAddress? remoteAddress, string reason);
}
