namespace PushListener.Protocol;

/// <summary>The SOAP version of a request; replies and faults use the same one.</summary>
public enum SoapVersion
{
    /// <summary>SOAP 1.1: <c>text/xml</c>, what Exchange sends.</summary>
    Soap11,

    /// <summary>SOAP 1.2: <c>application/soap+xml</c>, declared by the WSDL's second binding.</summary>
    Soap12,
}
