namespace PushListener.Tests.Storage;

/// <summary>
/// A storage provider under test: makes a fresh, empty, migrated store for each test. A provider's test suite is one
/// target plus one derived class per contract (see <c>Sqlite/</c>); the contracts hold every test.
/// </summary>
internal interface IStorageTarget
{
    Task<StorageUnderTest> CreateAsync(TimeProvider time);
}
