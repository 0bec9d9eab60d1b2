using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PushListener.Hosting;

namespace PushListener.Tests.Hosting;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("PushListener:Endpoint:Path", "no-slash", "PushListener:Endpoint:Path")]
    [InlineData("PushListener:Endpoint:Path", "/ews/{token}", "PushListener:Endpoint:Path")]
    [InlineData("PushListener:Endpoint:MaxRequestBytes", "10", "PushListener:Endpoint:MaxRequestBytes")]
    [InlineData("PushListener:Endpoint:MaxMessagesPerPush", "0", "PushListener:Endpoint:MaxMessagesPerPush")]
    [InlineData("PushListener:Endpoint:MaxMessagesPerPush", "10001", "PushListener:Endpoint:MaxMessagesPerPush")]
    [InlineData("PushListener:ForwardedHeaders:KnownNetworks:0", "not-a-range", "PushListener:ForwardedHeaders:KnownNetworks:0")]
    [InlineData("PushListener:ForwardedHeaders:KnownProxies:0", "proxy.local", "PushListener:ForwardedHeaders:KnownProxies:0")]
    public void Validate_InvalidSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [key] = value }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralInvalidSettings_ReportsAllAtOnce()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["PushListener:Endpoint:Path"] = "relative",
            ["PushListener:Endpoint:MaxRequestBytes"] = "1",
        }));

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void Validate_Defaults_AreValid()
    {
        var options = Resolve([]);

        Assert.Equal("/ews/notifications", options.Endpoint.Path);
        Assert.Equal(1024 * 1024, options.Endpoint.MaxRequestBytes);
        Assert.Equal(100, options.Endpoint.MaxMessagesPerPush);
    }

    private static PushListenerOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PushListenerOptions>>().Value;
    }
}
