using PushListener.Pipeline;

namespace PushListener.Handlers.JsonLines;

/// <summary>Settings of the <c>JsonLines</c> handler type.</summary>
internal sealed class JsonLinesSettings : IHandlerSettings
{
    /// <summary>The file to append to, relative to the content root. Required.</summary>
    public string? Path { get; set; }

    /// <summary>Flush each line to disk (fsync) before reporting success, not just to the operating system. Default <see langword="false"/>.</summary>
    public bool FlushToDisk { get; set; }

    public IEnumerable<string> Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return $"{path}:Path is required (the file to append notifications to).";
        }
        else if (Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            yield return $"{path}:Path '{Path}' is not a valid path.";
        }
    }
}
