using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PushListener.Ews;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Ews;

/// <summary>The EWS client against a loopback server that records what arrives and answers as told.</summary>
public sealed class EwsClientTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(IReadOnlyDictionary<string, string> Headers, byte[] Body)> _requests = new();
    private Func<HttpContext, int, Task> _answer = (_, _) => Task.CompletedTask;
    private WebApplication _app = null!;
    private Uri _url = null!;

    private const string Success = """<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SubscribeResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SubscriptionId>SUB1</m:SubscriptionId><m:Watermark>WM1</m:Watermark></m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse></s:Body></s:Envelope>""";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        _app = builder.Build();
        _app.MapPost("/EWS/Exchange.asmx", async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            _requests.Enqueue((context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), buffer.ToArray()));
            await _answer(context, _requests.Count);
        });
        await _app.StartAsync();
        _url = new Uri(new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()), "/EWS/Exchange.asmx");
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static PushSubscribeRequest Request(string? watermark = null) =>
        new("alice@contoso.com", ["inbox"], false, ["NewMailEvent"], watermark, 5, new Uri("https://push.example.org/ews/notifications/" + new string('t', 43)), Impersonate: false);

    private static EwsClient Client(EwsConnections connections, AffinityCookies? cookies = null) => new(connections, cookies ?? new AffinityCookies(), NullLogger<EwsClient>.Instance);

    private static Task Answer(HttpContext context, int status, string body, string? setCookie = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml; charset=utf-8";
        if (setCookie is not null)
        {
            context.Response.Headers.SetCookie = setCookie;
        }

        return context.Response.WriteAsync(body);
    }

    [Fact]
    public async Task Subscribe_Basic_SendsAValidRequestWithAffinityHeadersAndKeepsTheCookie()
    {
        _answer = (context, n) => Answer(context, 200, Success, n == 1 ? "X-BackEndOverrideCookie=BE1~abc; path=/; secure; HttpOnly" : null);
        using var connections = new EwsConnections(new MsalHttpClientFactory());
        var client = Client(connections);
        var credential = new EwsCredentialOptions { Kind = "Basic", Username = "svc@contoso.com", Password = "pw", Impersonate = true };

        var first = await client.SubscribeAsync(_url, "svc", credential, Request(), CancellationToken.None);
        var second = await client.SubscribeAsync(_url, "svc", credential, Request("WM1"), CancellationToken.None);

        Assert.True(first.IsSuccess);
        Assert.Equal(("SUB1", "WM1"), (second.SubscriptionId, second.Watermark));
        var requests = _requests.ToArray();
        foreach (var (headers, body) in requests)
        {
            Assert.Empty(SubscribeSchemas.ValidateEnvelope(body));
            Assert.Equal("alice@contoso.com", headers["X-AnchorMailbox"]);
            Assert.Equal("true", headers["X-PreferServerAffinity"]);
            Assert.Equal("\"http://schemas.microsoft.com/exchange/services/2006/messages/Subscribe\"", headers["SOAPAction"]);
            Assert.StartsWith("text/xml; charset=utf-8", headers["Content-Type"], StringComparison.Ordinal);
            Assert.Equal("Basic " + Convert.ToBase64String("svc@contoso.com:pw"u8.ToArray()), headers["Authorization"]);
            // The credential impersonates: the request names the mailbox (the writer's own flag is overridden).
            Assert.Contains("<t:SmtpAddress>alice@contoso.com</t:SmtpAddress>", System.Text.Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        }

        Assert.False(requests[0].Headers.ContainsKey("Cookie"));
        Assert.Equal("X-BackEndOverrideCookie=BE1~abc", requests[1].Headers["Cookie"]);
    }

    [Fact]
    public async Task Subscribe_MailboxMoved_ForgetsTheAffinityCookie()
    {
        var cookies = new AffinityCookies();
        cookies.Set(_url, "alice@contoso.com", "BE1~old");
        _answer = (context, _) => Answer(context, 200, """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SubscribeResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Error"><m:MessageText>moved</m:MessageText><m:ResponseCode>ErrorProxyRequestNotAllowed</m:ResponseCode></m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse></s:Body></s:Envelope>""");
        using var connections = new EwsConnections(new MsalHttpClientFactory());

        var response = await Client(connections, cookies).SubscribeAsync(_url, "svc", new EwsCredentialOptions { Kind = "Basic", Username = "u", Password = "p" }, Request(), CancellationToken.None);

        Assert.Equal("ErrorProxyRequestNotAllowed", response.ResponseCode);
        Assert.Null(cookies.Get(_url, "alice@contoso.com"));
    }

    [Fact]
    public async Task Subscribe_Ntlm_AnswersTheChallengeWithNtlmAndNeverSendsThePasswordAsBasic()
    {
        // Offered both, the client must choose NTLM; the server then refuses the (unchallenged) negotiation.
        _answer = (context, n) =>
        {
            context.Response.StatusCode = 401;
            if (n == 1)
            {
                context.Response.Headers.WWWAuthenticate = new(["Basic realm=\"ews\"", "NTLM"]);
            }

            return Task.CompletedTask;
        };
        using var connections = new EwsConnections(new MsalHttpClientFactory());

        var response = await Client(connections).SubscribeAsync(_url, "onprem", new EwsCredentialOptions { Kind = "Ntlm", Username = @"CONTOSO\svc-push", Password = "pw" }, Request(), CancellationToken.None);

        Assert.Equal(("HttpUnauthorized", 401), (response.ResponseCode, response.HttpStatus));
        var authorizations = _requests.Select(r => r.Headers.TryGetValue("Authorization", out var value) ? value : null).ToList();
        Assert.Null(authorizations[0]);
        Assert.Contains(authorizations, a => a is not null && a.StartsWith("NTLM ", StringComparison.Ordinal));
        Assert.DoesNotContain(authorizations, a => a is not null && a.StartsWith("Basic", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Subscribe_ServerDown_IsATransientConnectionFailure()
    {
        await _app.StopAsync();
        using var connections = new EwsConnections(new MsalHttpClientFactory());

        var response = await Client(connections).SubscribeAsync(_url, "svc", new EwsCredentialOptions { Kind = "Basic", Username = "u", Password = "p" }, Request(), CancellationToken.None);

        Assert.Equal(("ConnectionFailed", SubscribeErrorKind.Transient), (response.ResponseCode, response.Kind));
    }

    [Theory]
    [InlineData(@"CONTOSO\svc-push", "svc-push", "CONTOSO")]
    [InlineData("svc-push@contoso.com", "svc-push@contoso.com", "")]
    public void NtlmUsername_IsSplitIntoUserAndDomain(string username, string user, string domain)
    {
        var credential = EwsConnections.ToNetworkCredential(username, "pw");

        Assert.Equal((user, domain), (credential.UserName, credential.Domain));
    }
}
