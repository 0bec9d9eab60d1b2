namespace PushListener.Ews;

/// <summary>What Exchange answered to a Subscribe, or why there was no usable answer.</summary>
/// <param name="ResponseCode">
/// EWS's <c>ResponseCode</c> (<c>NoError</c>, <c>ErrorInvalidWatermark</c>, ...); from a SOAP fault's detail; or, when
/// there was no EWS answer at all, one of PushListener's own: <c>HttpUnauthorized</c>, <c>HttpForbidden</c>,
/// <c>HttpError</c>, <c>ConnectionFailed</c>, <c>Timeout</c>, <c>TokenRequestFailed</c>, <c>InvalidResponse</c>.
/// </param>
/// <param name="SubscriptionId">The new subscription, on success.</param>
/// <param name="Watermark">Its first watermark, on success.</param>
/// <param name="MessageText">Exchange's explanation (never holds credentials).</param>
/// <param name="BackOff"><c>BackOffMilliseconds</c> from <c>MessageXml</c>, or <c>Retry-After</c>: how long to wait before trying again.</param>
/// <param name="HttpStatus">The HTTP status, when there was an answer.</param>
internal sealed record SubscribeResponse(
    string ResponseCode,
    string? SubscriptionId,
    string? Watermark,
    string? MessageText,
    TimeSpan? BackOff,
    int? HttpStatus)
{
    public const string NoError = "NoError";

    public bool IsSuccess => ResponseCode == NoError && SubscriptionId is { Length: > 0 };

    /// <summary>What the answer means for the next attempt.</summary>
    public SubscribeErrorKind Kind => IsSuccess ? SubscribeErrorKind.None : SubscribeErrorClassifier.Classify(ResponseCode);

    public static SubscribeResponse Failure(string code, string message, int? status = null, TimeSpan? backOff = null) =>
        new(code, null, null, message, backOff, status);
}
