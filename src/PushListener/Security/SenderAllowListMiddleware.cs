namespace PushListener.Security;

/// <summary>
/// Refuses sources outside the allow-list with HTTP 403 and a one-line reason, before anything is read or parsed: the
/// sender is not a legitimate Exchange, so it gets no SOAP. The endpoint counts its own refusals (400, 408, 413, 415).
/// </summary>
internal sealed class SenderAllowListMiddleware(RequestDelegate next, SenderAllowList allowList, RejectionCounter counter)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (!allowList.Allows(remote))
        {
            counter.Record(remote, RejectionReason.NotAllowed);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";

            // The address as the listener sees it: that is what an operator behind a misconfigured proxy needs to know.
            await context.Response.WriteAsync($"Source address {SourceAddress.NameOf(remote)} may not send notifications here.", context.RequestAborted);
            return;
        }

        await next(context);
    }
}
