namespace PushListener.Inbox;

/// <summary>The <c>PushListener:Inbox</c> section: the durable inbox and its dispatcher.</summary>
public sealed class InboxOptions : Hosting.IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Inbox";

    /// <summary>
    /// Store every notification durably before answering, and run handlers from the store. Default <see langword="true"/>.
    /// Off, handlers run inside the request and nothing survives a crash.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Folder of the SQLite database (<c>inbox.db</c>), relative to the content root; one listener process per folder. Default <c>data</c>.</summary>
    public string DataFolder { get; set; } = "data";

    /// <summary>
    /// How long a request waits for the pipeline before answering, when a handler may vote Unsubscribe
    /// (<see cref="INotificationHandler.MayUnsubscribe"/>; otherwise the answer goes at commit). Within it, an Unsubscribe
    /// vote is in this answer; after it, the answer is OK and the vote goes out on the subscription's next push. Default 1 second.
    /// </summary>
    public TimeSpan ReplyBudget { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Delivery attempts per notification before it becomes a dead letter. Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry; later retries double it, with jitter. Default 2 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest delay between retries. Default 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Subscriptions dispatched in parallel (each subscription stays in order). Default 16.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>
    /// How long a dispatcher's claim on an entry lasts unless renewed (it renews every third of it while it holds the
    /// entry). An entry whose dispatcher died is claimed again after this long. Default 1 minute.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Entries held in memory by the dispatcher; the rest wait in the store. Default 10,000.</summary>
    public int MaxInMemoryEntries { get; set; } = 10_000;

    /// <summary>Writes waiting for the group-commit writer before requests wait in turn (back-pressure). Default 4,096.</summary>
    public int WriteQueueCapacity { get; set; } = 4096;

    /// <summary>Most writes committed in one transaction. Default 512.</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>How long processed entries are kept (and retried pushes recognised as duplicates). Default 7 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often processed entries past retention are deleted. Default 1 hour.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// WAL size, in 4 KB pages, at which the writer completes a checkpoint itself so that the WAL can restart (most pages
    /// are copied by a background checkpoint every second). Lower: shorter stalls of the writer, more often. Default 2,000.
    /// </summary>
    public int CheckpointPages { get; set; } = 2000;

    /// <summary>Largest database size in MiB; 0 for no limit. Past it, pushes get a Server fault (Exchange retries). Default 0.</summary>
    public int MaxSizeMegabytes { get; set; }

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate()
    {
        const string p = SectionName;
        if (string.IsNullOrWhiteSpace(DataFolder))
        {
            yield return $"{p}:DataFolder is required.";
        }

        if (ReplyBudget < TimeSpan.Zero || ReplyBudget > TimeSpan.FromSeconds(60))
        {
            yield return $"{p}:ReplyBudget must be between 00:00:00 and 00:01:00 (got {ReplyBudget}).";
        }

        if (MaxAttempts is < 1 or > 1000)
        {
            yield return $"{p}:MaxAttempts must be between 1 and 1000 (got {MaxAttempts}).";
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            yield return $"{p}:RetryDelay must be positive and not above {p}:MaxRetryDelay (got {RetryDelay} and {MaxRetryDelay}).";
        }

        if (Concurrency is < 1 or > 1024)
        {
            yield return $"{p}:Concurrency must be between 1 and 1024 (got {Concurrency}).";
        }

        if (LeaseDuration < TimeSpan.FromSeconds(3) || LeaseDuration > TimeSpan.FromHours(1))
        {
            yield return $"{p}:LeaseDuration must be between 00:00:03 and 01:00:00 (got {LeaseDuration}).";
        }

        if (MaxInMemoryEntries < 16)
        {
            yield return $"{p}:MaxInMemoryEntries must be at least 16 (got {MaxInMemoryEntries}).";
        }

        if (WriteQueueCapacity < 16)
        {
            yield return $"{p}:WriteQueueCapacity must be at least 16 (got {WriteQueueCapacity}).";
        }

        if (MaxBatchSize is < 1 or > 100_000)
        {
            yield return $"{p}:MaxBatchSize must be between 1 and 100000 (got {MaxBatchSize}).";
        }

        if (Retention < TimeSpan.FromMinutes(1))
        {
            yield return $"{p}:Retention must be at least 00:01:00 (got {Retention}).";
        }

        if (CleanupInterval < TimeSpan.FromSeconds(1))
        {
            yield return $"{p}:CleanupInterval must be at least 00:00:01 (got {CleanupInterval}).";
        }

        if (CheckpointPages is < 100 or > 1_000_000)
        {
            yield return $"{p}:CheckpointPages must be between 100 and 1000000 (got {CheckpointPages}).";
        }

        if (MaxSizeMegabytes < 0)
        {
            yield return $"{p}:MaxSizeMegabytes must be 0 (no limit) or positive (got {MaxSizeMegabytes}).";
        }
    }
}
