namespace PushListener.Ews;

/// <summary>No token or credentials could be had. <see cref="Transient"/>: a network or server failure, worth retrying.</summary>
internal sealed class EwsAuthenticationException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public bool Transient { get; } = transient;
}
