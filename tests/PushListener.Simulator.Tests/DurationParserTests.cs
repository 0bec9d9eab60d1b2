using PushListener.Simulator.Commands;

namespace PushListener.Simulator.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("00:01:30", 90_000)]
    public void TryParse_Accepted_GivesTheDuration(string text, int milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-1s")]
    [InlineData("5 parsecs")]
    public void TryParse_Nonsense_Refused(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }
}
