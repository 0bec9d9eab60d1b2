using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Security;

namespace PushListener.Tests.Security;

public sealed class SenderOptionsTests
{
    [Fact]
    public void Validate_BadAllowedNetworks_NamesEachEntryByIndex()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["PushListener:Senders:AllowedNetworks:0"] = "192.0.2.0/24",
            ["PushListener:Senders:AllowedNetworks:1"] = "10.1.0.0/8",
            ["PushListener:Senders:AllowedNetworks:2"] = "10.0.0.300/8",
        }));

        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("PushListener:Senders:AllowedNetworks:1 '10.1.0.0/8' is not", StringComparison.Ordinal) && f.Contains("10.0.0.0/8", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("PushListener:Senders:AllowedNetworks:2 '10.0.0.300/8' is not", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_GapInAllowedNetworks_NamesTheKeyAsWritten()
    {
        // The binder makes entries 0 and 5 an array of two; the error must still say 5.
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["PushListener:Senders:AllowedNetworks:0"] = "192.0.2.0/24",
            ["PushListener:Senders:AllowedNetworks:5"] = "not-a-range",
        }));

        Assert.StartsWith("PushListener:Senders:AllowedNetworks:5 'not-a-range' is not", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PushListener:Senders:RateLimit:PermitsPerSecond", "-1", "PushListener:Senders:RateLimit:PermitsPerSecond")]
    [InlineData("PushListener:Senders:RateLimit:PermitsPerSecond", "0.0001", "PushListener:Senders:RateLimit:PermitsPerSecond")]
    [InlineData("PushListener:Senders:RateLimit:PermitsPerSecond", "NaN", "PushListener:Senders:RateLimit:PermitsPerSecond")]
    [InlineData("PushListener:Senders:RateLimit:Burst", "0", "PushListener:Senders:RateLimit:Burst")]
    [InlineData("PushListener:Senders:RateLimit:Burst", "999", "PushListener:Senders:RateLimit:Burst")]
    [InlineData("PushListener:Senders:RejectionLogInterval", "00:00:00", "PushListener:Senders:RejectionLogInterval")]
    [InlineData("PushListener:Senders:RejectionLogInterval", "2.00:00:00", "PushListener:Senders:RejectionLogInterval")]
    public void Validate_InvalidSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [key] = value }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_AreValid_AndAllowEveryone()
    {
        var options = Resolve([]);

        Assert.Empty(options.AllowedNetworks);
        Assert.Equal(1000, options.RateLimit.PermitsPerSecond);
        Assert.Equal(2000, options.RateLimit.Burst);
        Assert.Equal(TimeSpan.FromMinutes(1), options.RejectionLogInterval);
    }

    [Fact]
    public void Validate_RateLimitOff_IgnoresBurst()
    {
        var options = Resolve(new() { ["PushListener:Senders:RateLimit:PermitsPerSecond"] = "0", ["PushListener:Senders:RateLimit:Burst"] = "0" });

        Assert.Equal(0, options.RateLimit.PermitsPerSecond);
    }

    [Theory]
    [InlineData(1000, 2000, 100, 0.1)]
    [InlineData(2, 2, 1, 0.5)]
    [InlineData(0.01, 2, 1, 100)]
    [InlineData(30, 30, 3, 0.1)]
    public void Bucket_KeepsTheConfiguredRate(double perSecond, int burst, int tokens, double periodSeconds)
    {
        var bucket = SenderRateLimiter.BucketFor(new SenderRateLimitOptions { PermitsPerSecond = perSecond, Burst = burst });

        Assert.Equal(burst, bucket.TokenLimit);
        Assert.Equal(tokens, bucket.TokensPerPeriod);
        Assert.Equal(periodSeconds, bucket.ReplenishmentPeriod.TotalSeconds, 6);
        Assert.Equal(0, bucket.QueueLimit);
    }

    private static SenderOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddPushListener(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SenderOptions>>().Value;
    }
}
