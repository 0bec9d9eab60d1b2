using System.Globalization;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Tests.Infrastructure;

/// <summary>Messages as the push processor hands them to an entry log, for store tests.</summary>
internal static class MessageAppends
{
    /// <summary>Message <paramref name="sequence"/> of <paramref name="subscription"/>'s watermark chain (a NewMail, or a heartbeat).</summary>
    public static MessageAppend Chained(string subscription, int sequence, int index = 0, string? registration = null, bool heartbeat = false, TimeSpan? registeredInterval = null) =>
        new(
            string.Create(CultureInfo.InvariantCulture, $"w:{subscription}\n{PushBuilder.Watermark(subscription, sequence - 1)}\n{PushBuilder.Watermark(subscription, sequence)}"),
            subscription,
            index,
            new RegistryUpdate(
                PushBuilder.Watermark(subscription, sequence - 1),
                PushBuilder.Watermark(subscription, sequence),
                heartbeat ? [0, 0, 0, 0, 0, 0, 1, 0] : [0, 0, 0, 0, 0, 1, 0, 0],
                heartbeat,
                IsError: false,
                "NoError",
                null,
                registration,
                registeredInterval));

    /// <summary>An error push's message (a body-hash key, no watermarks): Exchange ended the subscription.</summary>
    public static MessageAppend Error(string subscription, string code) =>
        new("h:error-" + subscription + code, subscription, 0, new RegistryUpdate(null, null, new int[8], false, IsError: true, code, "the subscription is gone", null, null));
}
