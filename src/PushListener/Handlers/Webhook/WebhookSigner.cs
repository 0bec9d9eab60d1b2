using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PushListener.Handlers.Webhook;

/// <summary>
/// Standard Webhooks signatures (https://www.standardwebhooks.com): <c>v1,</c> + base64 HMAC-SHA256 of
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the base64-decoded part of a <c>whsec_</c> secret.
/// </summary>
internal sealed class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    // The specification recommends 24 to 64 random bytes; shorter keys are refused rather than silently weak.
    public const int MinSecretBytes = 24;

    private readonly byte[] _key;

    public WebhookSigner(string secret)
    {
        if (Describe(secret) is { } error)
        {
            throw new ArgumentException("The webhook secret " + error, nameof(secret));
        }

        _key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
    }

    /// <summary>Why <paramref name="secret"/> is unusable (a phrase completing "Secret ..."), or null when it is fine. Never echoes the value.</summary>
    public static string? Describe(string? secret)
    {
        // Only the prefixed form is accepted: a raw passphrase is often valid base64 too, and a receiver could not tell
        // whether to use its bytes or its decoded bytes as the key.
        const string Form = "\"whsec_\" followed by the base64 of at least 24 random bytes (for example: echo \"whsec_$(openssl rand -base64 32)\")";
        if (string.IsNullOrWhiteSpace(secret))
        {
            return "is required: " + Form + ".";
        }

        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return "must be " + Form + "; it does not start with \"whsec_\".";
        }

        var encoded = secret.AsSpan(SecretPrefix.Length);
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var length))
        {
            return "must be " + Form + "; the part after \"whsec_\" is not valid base64.";
        }

        CryptographicOperations.ZeroMemory(buffer);
        return length < MinSecretBytes
            ? "must be " + Form + $"; it decodes to {length} bytes."
            : null;
    }

    /// <summary>The <c>webhook-signature</c> header value for one attempt.</summary>
    public string Sign(string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var timestampText = timestamp.ToString(CultureInfo.InvariantCulture);
        var prefixLength = Encoding.UTF8.GetByteCount(id) + 1 + timestampText.Length + 1;
        var content = new byte[prefixLength + body.Length];
        var written = Encoding.UTF8.GetBytes(id, content);
        content[written++] = (byte)'.';
        written += Encoding.ASCII.GetBytes(timestampText, content.AsSpan(written));
        content[written++] = (byte)'.';
        body.CopyTo(content.AsSpan(written));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(_key, content));
    }
}
