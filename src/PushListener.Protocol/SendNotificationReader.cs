using System.Globalization;
using System.Xml;

namespace PushListener.Protocol;

/// <summary>
/// Reads a SOAP 1.1 or 1.2 <c>SendNotification</c> envelope in one forward pass. Every part of the envelope is understood,
/// tolerated as a documented extension, or refused (docs/architecture.md, "The protocol rule"): prefixes, attributes and
/// unknown elements that carry no notification content are tolerated; duplicated singletons, notification structure in a
/// foreign namespace, unknown mandatory headers and messages without content are refused; unknown event elements are
/// delivered as <see cref="EventKind.Unknown"/>. Refuses DTDs, oversized and over-deep documents cheaply.
/// </summary>
public static class SendNotificationReader
{
    /// <summary>Reads a request body. Throws <see cref="PushRequestException"/> with a sender-safe reason on bad input.</summary>
    public static PushRequest Read(Stream body, PushReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        options ??= PushReaderOptions.Default;
        try
        {
            using var reader = XmlReader.Create(body, options.ReaderSettings);
            return new EnvelopeParser(reader, options).ReadEnvelope();
        }
        catch (XmlException ex)
        {
            throw new PushRequestException(DescribeXmlError(ex), FaultCode.Sender, ex);
        }
    }

    /// <summary>Reads a request body held in memory.</summary>
    public static PushRequest Read(ReadOnlyMemory<byte> body, PushReaderOptions? options = null)
    {
        using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        return Read(stream, options);
    }

    internal static XmlReaderSettings CreateSettings(PushReaderOptions options) => new()
    {
        // No DTDs, no resolver: entity expansion and external entities are impossible, not merely limited.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = options.MaxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };

    // XmlException messages can quote element names from the body; say what kind of problem it was and where, nothing more.
    private static string DescribeXmlError(XmlException ex)
    {
        if (ex.Message.Contains("DTD", StringComparison.Ordinal))
        {
            return "Document type declarations (DTDs) are not accepted.";
        }

        if (ex.Message.Contains("MaxCharactersInDocument", StringComparison.Ordinal))
        {
            return "The document exceeds the size limit.";
        }

        return ex.LineNumber > 0
            ? string.Create(CultureInfo.InvariantCulture, $"The body is not well-formed XML (line {ex.LineNumber}, position {ex.LinePosition}).")
            : "The body is not well-formed XML.";
    }
}
