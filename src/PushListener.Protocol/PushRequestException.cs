namespace PushListener.Protocol;

/// <summary>
/// A request that cannot be read as <c>SendNotification</c>. <see cref="Exception.Message"/> is safe to return to the
/// sender: it says what was wrong and never echoes the body.
/// </summary>
public sealed class PushRequestException : Exception
{
    public PushRequestException(string message, FaultCode code = FaultCode.Sender, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public PushRequestException()
        : this("The request is not a valid SendNotification request.")
    {
    }

    public PushRequestException(string message)
        : this(message, FaultCode.Sender)
    {
    }

    public PushRequestException(string message, Exception innerException)
        : this(message, FaultCode.Sender, innerException)
    {
    }

    /// <summary>The fault code the reply carries.</summary>
    public FaultCode Code { get; }
}
