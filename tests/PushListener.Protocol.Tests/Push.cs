namespace PushListener.Protocol.Tests;

/// <summary>Builds a minimal valid push with a hole for extra content at a chosen place, for tests generated in code.</summary>
internal static class Push
{
    public const string SubscriptionId = "JwBDTzFQUjEyTUIwMDAxLm5hbXByZDEyLnByb2Qub3V0bG9vay5jb20QAAAAxY7bWm8pQU2xk0H3cD1vRw==";
    public const string Watermark = "AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABpJAQAAAAA=";
    public const string ItemId = "AAMkADlhNGM1ZjBlLTJiNzEtNGQzZS04YzA5LTZmMWUyN2Q0YjhhMwBGAAAAAAAf3q2gWJ1cQ6Z7kKx0d9nQBwCqzWdzUEAAAA=";
    public const string FolderId = "AAMkADlhNGM1ZjBlLTJiNzEtNGQzZS04YzA5LTZmMWUyN2Q0YjhhMwAuAAAAAAD0fA2e7sNtR5m3v0XGkI1aAQBqk0JzAAA=";

    /// <summary>
    /// A SOAP 1.1 push with one NewMailEvent; <paramref name="extra"/> is inserted at <paramref name="place"/>:
    /// Envelope, Header, HeaderVersion (inside RequestServerVersion), Body (after SendNotification), SendNotification,
    /// ResponseMessages, Message, Notification or Event. The prefix <c>deep:</c> is declared on the Envelope.
    /// </summary>
    public static string Envelope(string place, string extra, string timeStamp = "2026-11-20T21:00:00Z")
    {
        string At(string name) => place == name ? extra : string.Empty;

        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            + "<soap11:Envelope xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:deep=\"urn:test:deep\">"
            + At("Envelope")
            + "<soap11:Header>"
            + $"<t:RequestServerVersion xmlns:t=\"{XmlNames.Types}\" Version=\"Exchange2013\">{At("HeaderVersion")}</t:RequestServerVersion>"
            + At("Header")
            + "</soap11:Header>"
            + "<soap11:Body>"
            + $"<m:SendNotification xmlns:m=\"{XmlNames.Messages}\" xmlns:t=\"{XmlNames.Types}\">"
            + At("SendNotification")
            + "<m:ResponseMessages>"
            + At("ResponseMessages")
            + "<m:SendNotificationResponseMessage ResponseClass=\"Success\">"
            + "<m:ResponseCode>NoError</m:ResponseCode>"
            + At("Message")
            + "<m:Notification>"
            + $"<t:SubscriptionId>{SubscriptionId}</t:SubscriptionId>"
            + $"<t:PreviousWatermark>{Watermark}</t:PreviousWatermark>"
            + "<t:MoreEvents>false</t:MoreEvents>"
            + At("Notification")
            + "<t:NewMailEvent>"
            + $"<t:Watermark>{Watermark}</t:Watermark>"
            + $"<t:TimeStamp>{timeStamp}</t:TimeStamp>"
            + $"<t:ItemId Id=\"{ItemId}\" />"
            + $"<t:ParentFolderId Id=\"{FolderId}\" />"
            + At("Event")
            + "</t:NewMailEvent>"
            + "</m:Notification>"
            + "</m:SendNotificationResponseMessage>"
            + "</m:ResponseMessages>"
            + "</m:SendNotification>"
            + At("Body")
            + "</soap11:Body>"
            + "</soap11:Envelope>";
    }
}
