namespace PushListener.Protocol;

/// <summary>Who is at fault, in SOAP-version-neutral terms.</summary>
public enum FaultCode
{
    /// <summary>The request is wrong (SOAP 1.1 <c>Client</c>, SOAP 1.2 <c>Sender</c>): resending it as is will fail again.</summary>
    Sender,

    /// <summary>The listener could not process a good request (SOAP 1.1 <c>Server</c>, SOAP 1.2 <c>Receiver</c>): Exchange should retry.</summary>
    Receiver,

    /// <summary>The envelope is of a SOAP version the endpoint was not addressed with.</summary>
    VersionMismatch,

    /// <summary>
    /// A header block addressed to the listener with <c>mustUnderstand</c> set is one it does not understand (SOAP 1.1
    /// 4.2.3, SOAP 1.2 5.4.8): <see cref="PushRequestException.NotUnderstood"/> names the blocks.
    /// </summary>
    MustUnderstand,
}
