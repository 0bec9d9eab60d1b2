using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PushListener.Protocol;

namespace PushListener.Simulator.Exchange;

/// <summary>
/// The fake Exchange's HTTP side: <c>POST /EWS/Exchange.asmx</c> (Subscribe, checked against the schema, Basic or
/// bearer credentials), a client-credentials token endpoint <c>POST /{tenant}/oauth2/v2.0/token</c>, and
/// <c>/fake/...</c> to look inside and inject faults.
/// </summary>
internal static class FakeExchangeEndpoints
{
    public const string EwsPath = "/EWS/Exchange.asmx";

    private static readonly XNamespace M = XmlNames.Messages;
    private static readonly XNamespace T = XmlNames.Types;

    public static void MapFakeExchange(this IEndpointRouteBuilder endpoints, FakeExchange exchange)
    {
        var issued = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        endpoints.MapPost(EwsPath, context => SubscribeAsync(context, exchange, issued));
        endpoints.MapPost("/{tenant}/oauth2/v2.0/token", context => TokenAsync(context, exchange, issued));

        var fake = endpoints.MapGroup("/fake");
        fake.MapGet("/subscriptions", () => Results.Ok(exchange.Subscriptions.Select(View)));
        fake.MapGet("/requests", () => Results.Ok(exchange.Calls));
        fake.MapPost("/subscriptions/drop", (string id) => exchange[id] is { } s ? Results.Ok(View(Do(s, s.Drop))) : Results.NotFound());
        fake.MapPost("/subscriptions/error-push", (string id) => exchange[id] is { } s ? Results.Ok(View(Do(s, s.RequestErrorPush))) : Results.NotFound());
        fake.MapPost("/faults", (FakeFault fault) =>
        {
            if (!Enum.IsDefined(fault.Kind) || fault.Count < 1 || fault.BackOffMilliseconds < 0)
            {
                return Results.BadRequest("kind must be ServerBusy, InvalidWatermark, ExceededSubscriptionCount or ImpersonateUserDenied; count at least 1; backOffMilliseconds not negative.");
            }

            exchange.AddFault(fault);
            return Results.Ok(fault);
        });
        fake.MapPost("/mailboxes/activity", (string mailbox, int? actions) =>
            Results.Ok(new { mailbox, events = exchange.Mailbox(mailbox).AddActivity(Math.Clamp(actions ?? 1, 1, 1000)) }));
    }

    private static FakeSubscription Do(FakeSubscription subscription, Action action)
    {
        action();
        return subscription;
    }

    private static object View(FakeSubscription s) => new
    {
        s.Id,
        s.Mailbox,
        State = s.State.ToString(),
        Url = s.Url.AbsoluteUri,
        s.StatusFrequency,
        s.StartWatermark,
        s.LastWatermark,
        s.Pushes,
        s.CreatedAt,
    };

    private static async Task SubscribeAsync(HttpContext context, FakeExchange exchange, ConcurrentDictionary<string, byte> issued)
    {
        var auth = Authenticate(context.Request, exchange.Options, issued, out var user);
        if (auth is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = new(["Basic realm=\"fake-exchange\"", "Bearer"]);
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (!SubscribeSoap.TryRead(buffer.ToArray(), out var header, out var subscribe, out var error))
        {
            await WriteAsync(context, StatusCodes.Status500InternalServerError, SubscribeSoap.Fault("ErrorSchemaValidation", "The request failed schema validation: " + error));
            return;
        }

        var impersonated = header.Element(T + "ExchangeImpersonation")?.Element(T + "ConnectingSID")?.Elements().FirstOrDefault()?.Value;
        if (auth == "Bearer" && impersonated is null)
        {
            await WriteAsync(context, StatusCodes.Status500InternalServerError, SubscribeSoap.Fault("ErrorInvalidExchangeImpersonationHeaderData", "ExchangeImpersonation SOAP header must be present for this type of OAuth token."));
            return;
        }

        var anchor = context.Request.Headers["X-AnchorMailbox"].ToString();
        var mailbox = impersonated ?? (user is not null && user.Contains('@', StringComparison.Ordinal) ? user : anchor);
        if (string.IsNullOrEmpty(mailbox))
        {
            await WriteAsync(context, StatusCodes.Status200OK, SubscribeSoap.Response(new SubscribeOutcome("ErrorNonExistentMailbox", MessageText: "No mailbox: impersonate one, sign in as one, or send X-AnchorMailbox.")));
            return;
        }

        var push = subscribe.Element(M + "PushSubscriptionRequest")!;
        var cookie = Cookie(context.Request, "X-BackEndOverrideCookie");
        var call = new SubscribeCall(
            mailbox,
            [.. push.Element(T + "FolderIds")?.Elements().Select(f => (string?)f.Attribute("Id") ?? string.Empty) ?? []],
            (bool?)push.Attribute("SubscribeToAllFolders") ?? false,
            [.. push.Element(T + "EventTypes")!.Elements().Select(e => e.Value)],
            push.Element(T + "Watermark")?.Value,
            int.Parse(push.Element(T + "StatusFrequency")!.Value, CultureInfo.InvariantCulture),
            new Uri(push.Element(T + "URL")!.Value),
            (string)header.Element(T + "RequestServerVersion")!.Attribute("Version")!,
            string.IsNullOrEmpty(anchor) ? null : anchor,
            context.Request.Headers["X-PreferServerAffinity"].ToString() is { Length: > 0 } prefer ? prefer : null,
            cookie,
            auth,
            impersonated is not null,
            exchange.Time.GetUtcNow());
        var outcome = exchange.Subscribe(call);
        if (outcome.AsFault)
        {
            await WriteAsync(context, StatusCodes.Status500InternalServerError, SubscribeSoap.Fault(outcome.ResponseCode, outcome.MessageText ?? outcome.ResponseCode, outcome.BackOffMilliseconds));
            return;
        }

        if (outcome.IsSuccess)
        {
            // Affinity: later requests for this mailbox carry it back and reach the same back-end server.
            var affinity = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(exchange.ServerName + "|" + mailbox.ToUpperInvariant())))[..32];
            context.Response.Headers.SetCookie = $"X-BackEndOverrideCookie={affinity}; path=/; secure; HttpOnly";
        }

        await WriteAsync(context, StatusCodes.Status200OK, SubscribeSoap.Response(outcome));
    }

    /// <summary>The scheme that let the request in (<c>Basic</c>, <c>Bearer</c>, or <c>None</c> when nothing is required), or null.</summary>
    private static string? Authenticate(HttpRequest request, FakeExchangeOptions options, ConcurrentDictionary<string, byte> issued, out string? user)
    {
        user = null;
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) || header.Parameter is null)
        {
            return options.RequiresAuthentication ? null : "None";
        }

        if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            }
            catch (FormatException)
            {
                return null;
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && options.Users.TryGetValue(decoded[..colon], out var password) && FixedEquals(password, decoded[(colon + 1)..]))
            {
                user = decoded[..colon];
                return "Basic";
            }

            return options.RequiresAuthentication ? null : "None";
        }

        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
            && (options.BearerTokens.Contains(header.Parameter) || issued.ContainsKey(header.Parameter)))
        {
            return "Bearer";
        }

        return options.RequiresAuthentication ? null : "None";
    }

    private static async Task TokenAsync(HttpContext context, FakeExchange exchange, ConcurrentDictionary<string, byte> issued)
    {
        if (!context.Request.HasFormContentType)
        {
            await Results.Json(new { error = "invalid_request", error_description = "A form body is required." }, statusCode: 400).ExecuteAsync(context);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var clientId = form["client_id"].ToString();
        var known = exchange.Options.Clients.TryGetValue(clientId, out var secret);
        // A certificate's signed assertion is taken as proof for a known client (the fake checks no signatures).
        var proven = known && (FixedEquals(secret!, form["client_secret"].ToString()) || form["client_assertion"].ToString().Length > 0);
        if (form["grant_type"] != "client_credentials" || !proven)
        {
            await Results.Json(new { error = "invalid_client", error_description = "AADSTS7000215: Invalid client secret provided." }, statusCode: 401).ExecuteAsync(context);
            return;
        }

        var token = "fake-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        issued[token] = 0;
        await Results.Json(new Dictionary<string, object> { ["token_type"] = "Bearer", ["expires_in"] = 3599, ["ext_expires_in"] = 3599, ["access_token"] = token }).ExecuteAsync(context);
    }

    private static string? Cookie(HttpRequest request, string name)
    {
        foreach (var header in request.Headers.Cookie)
        {
            foreach (var part in (header ?? string.Empty).Split(';', StringSplitOptions.TrimEntries))
            {
                if (part.StartsWith(name + "=", StringComparison.Ordinal))
                {
                    return part[(name.Length + 1)..];
                }
            }
        }

        return null;
    }

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml; charset=utf-8";
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
