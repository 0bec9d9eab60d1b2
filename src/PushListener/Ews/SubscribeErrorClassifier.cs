namespace PushListener.Ews;

/// <summary>Sorts EWS response codes into what to do next. Unknown codes are transient: retried with growing back-off.</summary>
internal static class SubscribeErrorClassifier
{
    private static readonly HashSet<string> Permanent = new(StringComparer.Ordinal)
    {
        // Too many subscriptions on the mailbox (Exchange Online: 20 per mailbox; Exchange 2013: 5,000).
        "ErrorExceededSubscriptionCount",
        // Authentication and permissions.
        "HttpUnauthorized",
        "HttpForbidden",
        "TokenRequestFailed",
        "ErrorAccessDenied",
        "ErrorImpersonateUserDenied",
        "ErrorImpersonationDenied",
        "ErrorImpersonationFailed",
        "ErrorSubscriptionAccessDenied",
        "ErrorSubscriptionDelegateAccessNotSupported",
        "ErrorNonExistentMailbox",
        "ErrorMailboxConfiguration",
        "ErrorInvalidSid",
        // The request itself is wrong: only a configuration change fixes it.
        "ErrorInvalidPushSubscriptionUrl",
        "ErrorInvalidSubscriptionRequest",
        "ErrorSchemaValidation",
        "ErrorInvalidRequest",
        "ErrorInvalidServerVersion",
        "ErrorDistinguishedUserNotSupported",
        "ErrorFolderNotFound",
    };

    public static SubscribeErrorKind Classify(string responseCode) => responseCode switch
    {
        SubscribeResponse.NoError => SubscribeErrorKind.None,
        "ErrorInvalidWatermark" => SubscribeErrorKind.InvalidWatermark,
        _ when Permanent.Contains(responseCode) => SubscribeErrorKind.Permanent,
        _ => SubscribeErrorKind.Transient,
    };
}
