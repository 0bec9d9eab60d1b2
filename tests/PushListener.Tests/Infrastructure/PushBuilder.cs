using System.Globalization;
using System.Text;

namespace PushListener.Tests.Infrastructure;

/// <summary>Real-looking pushes with chained watermarks, for tests that need many distinct notifications.</summary>
internal static class PushBuilder
{
    public static string Watermark(string subscription, int sequence) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"wm|{subscription}|{sequence:D8}")));

    public static string SubscriptionId(int n) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"sub-{n:D4}.prod.outlook.com")));

    /// <summary>A NewMailEvent push: PreviousWatermark is event <paramref name="sequence"/> - 1, Watermark is <paramref name="sequence"/>.</summary>
    public static byte[] NewMail(string subscription, int sequence, int padding = 0) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"""
        <?xml version="1.0" encoding="utf-8"?>
        <soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Header><t:RequestServerVersion xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" Version="Exchange2013" /></soap11:Header><soap11:Body><m:SendNotification xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:SendNotificationResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>{(padding > 0 ? "<m:MessageText>" + new string('x', padding) + "</m:MessageText>" : string.Empty)}<m:Notification><t:SubscriptionId>{subscription}</t:SubscriptionId><t:PreviousWatermark>{Watermark(subscription, sequence - 1)}</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents><t:NewMailEvent><t:Watermark>{Watermark(subscription, sequence)}</t:Watermark><t:TimeStamp>2026-11-22T08:00:00Z</t:TimeStamp><t:ItemId Id="AAMkAD-item-{sequence}" ChangeKey="CQAAAB-{sequence}" /><t:ParentFolderId Id="AAMkAD-inbox" ChangeKey="AQAAAA==" /></t:NewMailEvent></m:Notification></m:SendNotificationResponseMessage></m:ResponseMessages></m:SendNotification></soap11:Body></soap11:Envelope>
        """));

    /// <summary>The sequence number a NewMail push of <see cref="NewMail"/> carries, read back from its event's watermark.</summary>
    public static int SequenceOf(NotificationMessage message)
    {
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(message.Notification!.LastWatermark!));
        return int.Parse(text[(text.LastIndexOf('|') + 1)..], CultureInfo.InvariantCulture);
    }
}
