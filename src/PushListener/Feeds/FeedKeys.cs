using System.Security.Cryptography;
using System.Text;

namespace PushListener.Feeds;

/// <summary>Feed handles and consumer keys: random, URL-safe; keys are kept only as SHA-256.</summary>
internal static class FeedKeys
{
    public static string NewHandle() => "fd_" + Base64Url(RandomNumberGenerator.GetBytes(16));

    public static string NewConsumerKey() => "fk_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
