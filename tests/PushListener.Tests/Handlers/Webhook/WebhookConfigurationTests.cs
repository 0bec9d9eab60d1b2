using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PushListener.Handlers.Webhook;
using PushListener.Hosting;
using PushListener.Tests.Infrastructure;
using static PushListener.Tests.Handlers.Webhook.WebhookTestSupport;

namespace PushListener.Tests.Handlers.Webhook;

public sealed class WebhookConfigurationTests
{
    private const string Entry = "PushListener:Handlers:hook";

    [Fact]
    public void Validate_MissingUrls_FailsNamingUrls()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [Entry + ":Settings:Secret"] = Secret }));

        Assert.Contains(Entry + ":Settings:Urls must list at least one", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    [InlineData("ftp://example.org/hook")]
    [InlineData("file:///etc/passwd")]
    public void Validate_BadUrl_FailsNamingTheUrlsEntry(string url)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            [Entry + ":Settings:Urls:0"] = "https://example.org/ok",
            [Entry + ":Settings:Urls:1"] = url,
            [Entry + ":Settings:Secret"] = Secret,
        }));

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith(Entry + ":Settings:Urls:1 must be an absolute http or https URL", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingSecret_FailsNamingSecret()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [Entry + ":Settings:Urls:0"] = "https://example.org/hook" }));

        Assert.Contains(Entry + ":Settings:Secret is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("correct-horse-battery-staple")]
    [InlineData("whsec_not*base64!")]
    [InlineData("whsec_c2hvcnQ=")]
    public void Validate_MalformedSecret_FailsNamingSecretWithoutEchoingIt(string secret)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            [Entry + ":Settings:Urls:0"] = "https://example.org/hook",
            [Entry + ":Settings:Secret"] = secret,
        }));

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith(Entry + ":Settings:Secret must be", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, failure, StringComparison.Ordinal);
        Assert.DoesNotContain(secret["whsec_".Length..], failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxAttempts", "0")]
    [InlineData("RequestTimeout", "00:00:00")]
    [InlineData("InitialBackoff", "-00:00:01")]
    [InlineData("MaxBackoff", "02:00:00")]
    [InlineData("FailureLogThreshold", "0")]
    public void Validate_OutOfRangeSetting_FailsNamingIt(string setting, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            [Entry + ":Settings:Urls:0"] = "https://example.org/hook",
            [Entry + ":Settings:Secret"] = Secret,
            [Entry + ":Settings:" + setting] = value,
        }));

        Assert.StartsWith($"{Entry}:Settings:{setting} must be", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RepeatedUrl_FailsNamingBothEntries()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            [Entry + ":Settings:Urls:0"] = "https://example.org/hook",
            [Entry + ":Settings:Urls:1"] = "https://example.org/hook",
            [Entry + ":Settings:Secret"] = Secret,
        }));

        Assert.StartsWith(Entry + ":Settings:Urls:1 repeats " + Entry + ":Settings:Urls:0", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MinimalEntry_IsValidWithDocumentedDefaults()
    {
        Resolve(new()
        {
            [Entry + ":Settings:Urls:0"] = "https://example.org/hook",
            [Entry + ":Settings:Secret"] = Secret,
        });
        var settings = new WebhookSettings();

        Assert.Equal(3, settings.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.InitialBackoff);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.MaxBackoff);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.RequestTimeout);
        Assert.Equal(5, settings.FailureLogThreshold);
    }

    [Fact]
    public async Task Post_ListenerWithWebhookEntry_ReceiverGetsSignedJson()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var factory = new ListenerFactory()
            .With(Entry + ":Type", "Webhook")
            .With(Entry + ":Settings:Urls:0", receiver.UrlFor("/exchange").ToString())
            .With(Entry + ":Settings:Secret", Secret)
            .With(Entry + ":Settings:InitialBackoff", "00:00:00.001");
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("all-event-types.xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        var request = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal("/exchange", request.Path);
        Assert.Equal(ExpectedSignature(request.Header("webhook-id"), request.Header("webhook-timestamp"), request.Body), request.Header("webhook-signature"));
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("pushlistener.notification/v1", json.RootElement.GetProperty("schema").GetString());
        Assert.Equal(request.Header("webhook-id"), json.RootElement.GetProperty("deliveryId").GetString());
        Assert.Equal("KQBIRTFQUjA3MDFNQjI4NDMuZXVycHJkMDcucHJvZC5vdXRsb29rLmNvbRAAAACqHldeQMCXULJt7GDPK5mw", json.RootElement.GetProperty("subscriptionId").GetString());
        Assert.Equal(9, json.RootElement.GetProperty("events").GetArrayLength());
    }

    private static PushListenerOptions Resolve(Dictionary<string, string?> settings)
    {
        settings[Entry + ":Type"] = "Webhook";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PushListenerOptions>>().Value;
    }
}
