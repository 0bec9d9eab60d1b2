namespace PushListener.Storage;

/// <summary>
/// Registered by the command line: the store is opened beside a listener that may be running, not served. A provider
/// then takes no ownership of it (the SQLite provider takes no data-folder lock and leaves leases alone).
/// </summary>
internal sealed class AdminToolAccess;
