using System.Text;
using PushListener.Handlers.JsonLines;

namespace PushListener.Tests.Handlers.JsonLines;

/// <summary>A line a crash cut short is dropped when the handler opens its file, so the next line starts on its own.</summary>
public sealed class JsonLinesTornLineTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "jsonl-tests", Guid.NewGuid().ToString("N"));

    public JsonLinesTornLineTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("{\"a\":1}\n{\"b\":2}\n{\"c\":", "{\"a\":1}\n{\"b\":2}\n")]
    [InlineData("{\"a\":1}\n", "{\"a\":1}\n")]
    [InlineData("{\"torn", "")]
    [InlineData("", "")]
    [InlineData("not ours, no newline", "not ours, no newline\n")]
    [InlineData("{\"a\":1}\nplain text at the end", "{\"a\":1}\nplain text at the end\n")]
    public void DropTornLastLine_KeepsWholeLinesOnly(string before, string after)
    {
        var path = Write(before);

        JsonLinesHandler.DropTornLastLine(path);

        Assert.Equal(after, File.ReadAllText(path));
    }

    [Fact]
    public void DropTornLastLine_FindsANewlineFarBeforeALongTornLine()
    {
        var whole = "{\"a\":\"" + new string('x', 3000) + "\"}\n";
        var path = Write(whole + "{\"b\":\"" + new string('y', 9000));

        JsonLinesHandler.DropTornLastLine(path);

        Assert.Equal(whole, File.ReadAllText(path));
    }

    [Fact]
    public void DropTornLastLine_NoFile_CreatesNothing()
    {
        var path = Path.Combine(_folder, "absent.jsonl");

        JsonLinesHandler.DropTornLastLine(path);

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Handler_OnAFileWithATornLine_WritesItsFirstLineOnALineOfItsOwn()
    {
        var path = Write("{\"a\":1}\n{\"to");

        using (var handler = new JsonLinesHandler(path, flushToDisk: false))
        {
            var result = await handler.HandleAsync(PushListener.Tests.Handlers.Webhook.WebhookTestSupport.Context("all-event-types.xml"));
            Assert.Equal(HandlerResult.Continue, result);
        }

        var lines = File.ReadAllText(path).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("{\"a\":1}", lines[0]);
        Assert.StartsWith("{", lines[1], StringComparison.Ordinal);
        Assert.Equal(string.Empty, lines[2]);
        using var json = System.Text.Json.JsonDocument.Parse(lines[1]);
        Assert.Equal("pushlistener.notification/v1", json.RootElement.GetProperty("schema").GetString());
    }

    private string Write(string content)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".jsonl");
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }
}
