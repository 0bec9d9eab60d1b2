using System.Collections.Concurrent;

namespace PushListener.Subscriptions;

/// <summary>
/// The registrations (from configuration and the admin API) and which subscription belongs to which, in memory for the
/// request path; the store keeps the API's registrations and the links.
/// </summary>
internal sealed class RegistrationCatalog
{
    private readonly ConcurrentDictionary<string, Registration> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Registration> _byTokenHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _links = new(StringComparer.Ordinal);

    public IReadOnlyCollection<Registration> All => [.. _byName.Values.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)];

    public Registration? this[string name] => _byName.TryGetValue(name, out var registration) ? registration : null;

    public void Set(Registration registration)
    {
        if (_byName.TryGetValue(registration.Name, out var previous) && previous.TokenHash is { } oldHash)
        {
            _byTokenHash.TryRemove(oldHash, out _);
        }

        _byName[registration.Name] = registration;
        if (registration.TokenHash is { } hash)
        {
            _byTokenHash[hash] = registration;
        }

        foreach (var id in registration.SubscriptionIds)
        {
            _links[id] = registration.Name;
        }
    }

    public bool Remove(string name)
    {
        if (!_byName.TryRemove(name, out var registration))
        {
            return false;
        }

        if (registration.TokenHash is { } hash)
        {
            _byTokenHash.TryRemove(hash, out _);
        }

        foreach (var (subscription, owner) in _links)
        {
            if (string.Equals(owner, registration.Name, StringComparison.OrdinalIgnoreCase))
            {
                _links.TryRemove(subscription, out _);
            }
        }

        return true;
    }

    /// <summary>The registration a callback token names. The token is hashed first; hashes are compared in constant time.</summary>
    public bool TryResolveToken(string token, out Registration registration)
    {
        var hash = CallbackToken.Hash(token);
        if (_byTokenHash.TryGetValue(hash, out var found) && found.TokenHash is { } stored && CallbackToken.HashEquals(stored, hash))
        {
            registration = found;
            return true;
        }

        registration = null!;
        return false;
    }

    /// <summary>The registration that claims <paramref name="subscriptionId"/>, if any.</summary>
    public Registration? Find(string? subscriptionId) =>
        subscriptionId is not null && _links.TryGetValue(subscriptionId, out var name) ? this[name] : null;

    /// <summary>Remembers that <paramref name="subscriptionId"/> came in through <paramref name="registration"/>'s token.</summary>
    public void Link(string subscriptionId, string registration) => _links[subscriptionId] = registration;
}
