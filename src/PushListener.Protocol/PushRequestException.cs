using System.Xml;

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

    /// <summary>A <see cref="FaultCode.MustUnderstand"/> fault naming the header blocks that were not understood.</summary>
    public PushRequestException(string message, IReadOnlyList<XmlQualifiedName> notUnderstood)
        : this(message, FaultCode.MustUnderstand)
    {
        ArgumentNullException.ThrowIfNull(notUnderstood);
        NotUnderstood = notUnderstood;
    }

    /// <summary>The fault code the reply carries.</summary>
    public FaultCode Code { get; }

    /// <summary>For <see cref="FaultCode.MustUnderstand"/>: the qualified names of the header blocks not understood; empty otherwise.</summary>
    public IReadOnlyList<XmlQualifiedName> NotUnderstood { get; } = [];
}
