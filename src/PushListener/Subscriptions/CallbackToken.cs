using System.Security.Cryptography;
using System.Text;

namespace PushListener.Subscriptions;

/// <summary>
/// Callback tokens: unguessable path segments that identify a registration. Only their SHA-256 hashes are kept and
/// compared (in constant time), so neither the store nor the logs ever hold a usable token.
/// </summary>
internal static class CallbackToken
{
    public static string Create() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string token) =>
        token.Length is >= 32 and <= 256 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The callback path of <paramref name="token"/> under the endpoint's path: <c>/ews/notifications/{token}</c>, or <c>/{token}</c> when the endpoint is at <c>/</c>.</summary>
    public static string PathOf(string endpointPath, string token)
    {
        var endpoint = endpointPath.Trim('/');
        return endpoint.Length == 0 ? "/" + token : "/" + endpoint + "/" + token;
    }

    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool HashEquals(string hashA, string hashB) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hashA), Encoding.ASCII.GetBytes(hashB));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
