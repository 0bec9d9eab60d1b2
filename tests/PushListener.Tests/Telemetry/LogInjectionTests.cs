using System.Text;
using System.Text.RegularExpressions;
using PushListener.Telemetry;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Telemetry;

/// <summary>Values from a push (ids, message texts) cannot start lines of their own in a text log.</summary>
public sealed partial class LogInjectionTests
{
    [Fact]
    public async Task ControlCharactersInPushValues_AreEscaped_NoForgedLines()
    {
        const string Forged = "2026-01-01T00:00:00.000+00:00 [ERR] Forged: admin logged in";
        var subscription = "sub-1&#10;" + Forged;
        var text = "Events could not be read.&#13;&#10;" + Forged + "&#x2028;end";
        var errorPush = Encoding.UTF8.GetString(Fixture.Bytes("error-push.xml"))
            .Replace("Events could not be read for this subscription. Create the subscription again.", text, StringComparison.Ordinal)
            .Replace("JwBCTjhQUjEyTUIzMjE4Lm5hbXByZDEyLnByb2Qub3V0bG9vay5jb20QAAAAZmYu8Hy5DMM24bA+HVXosA==", subscription, StringComparison.Ordinal);
        var data = Path.Combine(Path.GetTempPath(), "pushlistener-tests", Guid.NewGuid().ToString("N"));

        // The real service and its console, as an operator (or journald) reads it.
        await using var listener = await ListenerProcess.StartAsync(["--PushListener:Inbox:DataFolder=" + data]);
        using var client = new HttpClient { BaseAddress = listener.BaseAddress };
        using var response = await client.SendAsync(Soap.Post(Encoding.UTF8.GetBytes(errorPush)));
        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        await Eventually.TrueAsync(() => listener.Output.Contains("Error push for subscription", StringComparison.Ordinal));

        // The process's output is split at \n, \r and \r\n: an unescaped one would start a line of its own.
        var lines = listener.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines, line => Assert.Matches(LineStart(), line));
        Assert.DoesNotContain(lines, line => line.StartsWith(Forged, StringComparison.Ordinal));
        var logged = Assert.Single(lines, line => line.Contains("Error push for subscription", StringComparison.Ordinal));
        Assert.Contains("sub-1\\n" + Forged, logged, StringComparison.Ordinal);
        Assert.Contains("read.\\r\\n" + Forged + "\\u2028end", logged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain id", "plain id")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\n\tb", "a\\r\\n\\tb")]
    [InlineData("esc\u001b[31m", "esc\\u001B[31m")]
    [InlineData("nel\u0085ls\u2028ps\u2029", "nel\\u0085ls\\u2028ps\\u2029")]
    public void EscapeText_EscapesEveryLineBreakingOrControlCharacter(string value, string expected)
    {
        Assert.Equal(expected, ControlCharacterEscaper.NeedsEscaping(value) ? ControlCharacterEscaper.EscapeText(value) : value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2} \[[A-Z]{3}\] ")]
    private static partial Regex LineStart();
}
