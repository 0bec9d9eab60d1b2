namespace PushListener.Storage;

/// <summary>
/// The store cannot be used: the database is unreachable, refuses the credentials, or holds a schema newer than this
/// binary. Thrown at start-up, where it stops the service with its message, which names the setting to check.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message naming the setting to check.</summary>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message naming the setting to check, and its cause.</summary>
    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
