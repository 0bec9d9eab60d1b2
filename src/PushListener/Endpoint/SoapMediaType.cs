using Microsoft.Net.Http.Headers;
using PushListener.Protocol;

namespace PushListener.Endpoint;

/// <summary>Which SOAP version a Content-Type announces, and whether the action it (or SOAPAction) names is SendNotification.</summary>
internal static class SoapMediaType
{
    /// <summary>The SOAP version of <paramref name="contentType"/>, or null when it is neither <c>text/xml</c> nor <c>application/soap+xml</c>.</summary>
    public static SoapVersion? VersionOf(string? contentType, out string? action)
    {
        action = null;
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return null;
        }

        if (media.MediaType.Equals(XmlNames.Soap11ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return SoapVersion.Soap11;
        }

        if (media.MediaType.Equals(XmlNames.Soap12ContentType, StringComparison.OrdinalIgnoreCase))
        {
            foreach (var parameter in media.Parameters)
            {
                if (parameter.Name.Equals("action", StringComparison.OrdinalIgnoreCase))
                {
                    action = HeaderUtilities.RemoveQuotes(parameter.Value).ToString();
                }
            }

            return SoapVersion.Soap12;
        }

        return null;
    }

    /// <summary>
    /// True when a SOAPAction header or action parameter is absent, empty, or SendNotification. Exchange Online sends it
    /// unquoted although SOAP 1.1 clients usually quote it; both are accepted.
    /// </summary>
    public static bool IsSendNotificationAction(string? action)
    {
        if (action is null)
        {
            return true;
        }

        var value = action.AsSpan().Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        return value.IsEmpty || value.SequenceEqual(XmlNames.SendNotificationAction);
    }
}
