using Microsoft.Extensions.Options;
using PushListener.Inbox;

namespace PushListener.Health;

/// <summary>The inbox's data folder, resolved against the content root as the inbox resolves it.</summary>
internal sealed class InboxDataFolder(IOptions<InboxOptions> options, IHostEnvironment environment)
{
    public string Path { get; } = System.IO.Path.GetFullPath(options.Value.DataFolder, environment.ContentRootPath);
}
