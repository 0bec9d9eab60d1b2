using PushListener.Inbox;
using PushListener.Storage.Sqlite;

namespace PushListener.Tests.Storage.Sqlite;

/// <summary>SQLite under the contracts: a new data folder per test, deleted afterwards.</summary>
internal sealed class SqliteStorageTarget : IStorageTarget
{
    public Task<StorageUnderTest> CreateAsync(TimeProvider time)
    {
        var folder = Path.Combine(Path.GetTempPath(), "pushlistener-tests", "contract-" + Guid.NewGuid().ToString("N"));
        return StorageUnderTest.StartAsync(
            static builder => builder.UseSqliteStorage(),
            new Dictionary<string, string?> { [InboxOptions.SectionName + ":DataFolder"] = folder },
            time,
            () =>
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A temporary folder: left behind if something still holds it.
                }

                return ValueTask.CompletedTask;
            });
    }
}
