using System.Xml;

namespace PushListener.Protocol;

/// <summary>Limits that make hostile documents cheap to refuse.</summary>
public sealed class PushReaderOptions
{
    /// <summary>The default limits.</summary>
    public static PushReaderOptions Default { get; } = new();

    /// <summary>Largest number of characters in a document. Default 4,194,304.</summary>
    public long MaxCharacters { get; init; } = 4 * 1024 * 1024;

    /// <summary>Deepest element nesting accepted. Real pushes nest 8 deep. Default 32.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Most <c>SendNotificationResponseMessage</c> elements in one request. Exchange sends a few. Default 100.</summary>
    public int MaxMessages { get; init; } = 100;

    /// <summary>Most events in one request over all messages. Default 10,000.</summary>
    public int MaxEvents { get; init; } = 10_000;

    // Built once per options instance: XmlReader.Create only reads settings, so sharing them across threads is safe.
    private XmlReaderSettings? _readerSettings;

    internal XmlReaderSettings ReaderSettings => _readerSettings ??= SendNotificationReader.CreateSettings(this);
}
