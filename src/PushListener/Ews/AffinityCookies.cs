using System.Collections.Concurrent;

namespace PushListener.Ews;

/// <summary>
/// The <c>X-BackEndOverrideCookie</c> Exchange returned for each anchor mailbox, sent back on later requests so that they
/// reach the server holding the mailbox (without affinity, Exchange can answer <c>ErrorSubscriptionNotFound</c>).
/// </summary>
internal sealed class AffinityCookies
{
    private readonly ConcurrentDictionary<(string Host, string Mailbox), string> _cookies = new();

    public string? Get(Uri ewsUrl, string mailbox) => _cookies.TryGetValue(Key(ewsUrl, mailbox), out var value) ? value : null;

    public void Set(Uri ewsUrl, string mailbox, string value) => _cookies[Key(ewsUrl, mailbox)] = value;

    public void Forget(Uri ewsUrl, string mailbox) => _cookies.TryRemove(Key(ewsUrl, mailbox), out _);

    /// <summary>The cookie's value from <c>Set-Cookie</c> headers (or an <c>X-BackEndOverrideCookie</c> header), if any.</summary>
    public static string? Read(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            foreach (var cookie in cookies)
            {
                var prefix = EwsNames.BackEndOverrideCookie + "=";
                if (cookie.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    var end = cookie.IndexOf(';', StringComparison.Ordinal);
                    var value = end < 0 ? cookie[prefix.Length..] : cookie[prefix.Length..end];
                    return value.Length > 0 ? value : null;
                }
            }
        }

        return response.Headers.TryGetValues(EwsNames.BackEndOverrideCookie, out var values) && values.FirstOrDefault() is { Length: > 0 } header ? header : null;
    }

    private static (string, string) Key(Uri ewsUrl, string mailbox) => (ewsUrl.Authority.ToUpperInvariant(), mailbox.ToUpperInvariant());
}
