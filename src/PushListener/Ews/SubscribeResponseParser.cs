using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using PushListener.Protocol;

namespace PushListener.Ews;

/// <summary>
/// Reads Exchange's answer to Subscribe: a <c>SubscribeResponseMessage</c> (success or error, with <c>MessageXml</c>), a
/// SOAP fault (Exchange answers throttling with HTTP 500 and a fault whose detail carries <c>ResponseCode</c> and
/// <c>BackOffMilliseconds</c>), or an HTTP error without SOAP.
/// </summary>
internal static class SubscribeResponseParser
{
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = 4 * 1024 * 1024,
        IgnoreComments = true,
    };

    private static readonly XNamespace M = XmlNames.Messages;

    /// <param name="status">The HTTP status.</param>
    /// <param name="body">The answer body (possibly empty).</param>
    /// <param name="retryAfter">The <c>Retry-After</c> header, if any.</param>
    public static SubscribeResponse Parse(int status, ReadOnlySpan<byte> body, TimeSpan? retryAfter = null)
    {
        var document = TryLoad(body);
        var envelopeBody = document?.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Body");
        if (envelopeBody is not null)
        {
            if (envelopeBody.Descendants(M + "SubscribeResponseMessage").FirstOrDefault() is { } message)
            {
                return FromMessage(message, status, retryAfter);
            }

            if (envelopeBody.Elements().FirstOrDefault(e => e.Name.LocalName == "Fault") is { } fault)
            {
                return FromFault(fault, status, retryAfter);
            }
        }

        return status switch
        {
            401 => SubscribeResponse.Failure("HttpUnauthorized", "Exchange refused the credentials (HTTP 401).", status),
            403 => SubscribeResponse.Failure("HttpForbidden", "Exchange refused access (HTTP 403): the account or app lacks permission.", status),
            429 or 503 => SubscribeResponse.Failure("ErrorServerBusy", $"Exchange is busy (HTTP {status}).", status, retryAfter),
            >= 200 and < 300 => SubscribeResponse.Failure("InvalidResponse", "Exchange's answer is not a SubscribeResponse.", status),
            _ => SubscribeResponse.Failure("HttpError", $"Exchange answered HTTP {status} without a SOAP response.", status, retryAfter),
        };
    }

    private static SubscribeResponse FromMessage(XElement message, int status, TimeSpan? retryAfter)
    {
        var responseClass = (string?)message.Attribute("ResponseClass");
        var code = message.Element(M + "ResponseCode")?.Value.Trim();
        var text = message.Element(M + "MessageText")?.Value;
        var subscriptionId = message.Element(M + "SubscriptionId")?.Value.Trim();
        var watermark = message.Element(M + "Watermark")?.Value.Trim();
        var backOff = BackOff(message.Element(M + "MessageXml")) ?? retryAfter;
        if (responseClass == "Error" || (code is not null && code != SubscribeResponse.NoError))
        {
            return new SubscribeResponse(string.IsNullOrEmpty(code) ? "InvalidResponse" : code, null, null, text, backOff, status);
        }

        if (string.IsNullOrEmpty(subscriptionId))
        {
            return SubscribeResponse.Failure("InvalidResponse", "SubscribeResponseMessage without a SubscriptionId.", status);
        }

        return new SubscribeResponse(SubscribeResponse.NoError, subscriptionId, string.IsNullOrEmpty(watermark) ? null : watermark, text, null, status);
    }

    private static SubscribeResponse FromFault(XElement fault, int status, TimeSpan? retryAfter)
    {
        // SOAP 1.1: faultcode/faultstring/detail; the EWS code is in detail (errors namespace), else in faultcode ("a:ErrorServerBusy").
        var detail = fault.Elements().FirstOrDefault(e => e.Name.LocalName is "detail" or "Detail");
        var code = detail?.Elements().FirstOrDefault(e => e.Name.LocalName == "ResponseCode")?.Value.Trim();
        if (string.IsNullOrEmpty(code))
        {
            var faultCode = fault.Elements().FirstOrDefault(e => e.Name.LocalName == "faultcode")?.Value.Trim() ?? string.Empty;
            code = faultCode[(faultCode.IndexOf(':', StringComparison.Ordinal) + 1)..];
            // soap:Client / soap:Server carry no EWS code.
            if (code is "" or "Client" or "Server")
            {
                code = status is 401 ? "HttpUnauthorized" : status is 403 ? "HttpForbidden" : "SoapFault";
            }
        }

        var text = detail?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value
            ?? fault.Elements().FirstOrDefault(e => e.Name.LocalName == "faultstring")?.Value;
        var backOff = BackOff(detail?.Elements().FirstOrDefault(e => e.Name.LocalName == "MessageXml")) ?? retryAfter;
        return new SubscribeResponse(code, null, null, text, backOff, status);
    }

    private static TimeSpan? BackOff(XElement? messageXml)
    {
        var value = messageXml?.Elements().FirstOrDefault(e => e.Name.LocalName == "Value" && (string?)e.Attribute("Name") == "BackOffMilliseconds")?.Value;
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms >= 0 ? TimeSpan.FromMilliseconds(ms) : null;
    }

    private static XDocument? TryLoad(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            return XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
