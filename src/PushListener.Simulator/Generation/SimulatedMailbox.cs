using System.Globalization;

namespace PushListener.Simulator.Generation;

/// <summary>
/// A small mailbox (well-known folders, user folders, items, unread counts) whose user actions produce the event groups
/// Exchange sends for them, with ids that stay consistent: a message that arrived is later read, moved or deleted under
/// the same id. Not thread-safe: one per subscription.
/// </summary>
internal sealed class SimulatedMailbox
{
    // Folders are kept small so that a long run with many subscriptions stays bounded in memory.
    private const int MaxItemsPerFolder = 30;
    private const int MaxUserFolders = 8;

    private readonly Random _random;
    private readonly string _mailboxText;
    private readonly Folder _root;
    private readonly Folder _inbox;
    private readonly Folder _deletedItems;
    private readonly Folder _calendar;
    private readonly List<Folder> _mailFolders = [];
    private readonly List<Folder> _userFolders = [];

    public SimulatedMailbox(Guid mailbox, Random random)
    {
        _random = random;
        _mailboxText = mailbox.ToString("D", CultureInfo.InvariantCulture);
        var top = NewFolder(parent: null);
        _root = NewFolder(top);
        _inbox = NewFolder(_root);
        _deletedItems = NewFolder(_root);
        _calendar = NewFolder(_root);
        _mailFolders.AddRange([_inbox, NewFolder(_root), NewFolder(_root), _deletedItems, NewFolder(_root)]); // inbox, drafts, sent, deleted, archive
    }

    /// <summary>One user action, weighted roughly like a working mailbox: mostly new mail and reading.</summary>
    public IReadOnlyList<GeneratedEvent> NextAction()
    {
        if (OverfullFolder() is { } full)
        {
            // Housekeeping is what keeps real mailboxes from growing without end too.
            return full == _deletedItems ? EmptyDeletedItems() : MoveItem(full, _deletedItems);
        }

        var roll = _random.Next(100);
        return roll switch
        {
            < 30 => NewMail(),
            < 50 => ReadItem(),
            < 58 => ModifyItem(),
            < 70 => MoveItem(source: null, destination: null),
            < 74 => CopyItem(),
            < 80 => DeleteItem(),
            < 92 => CalendarChange(),
            < 95 => CreateFolder(),
            < 98 => MoveFolder(),
            _ => DeleteFolder(),
        };
    }

    /// <summary>A burst, as when a rule or a bulk operation touches many messages at once: several actions back to back.</summary>
    public IReadOnlyList<GeneratedEvent> Burst(int actions)
    {
        var events = new List<GeneratedEvent>();
        for (var i = 0; i < actions; i++)
        {
            events.AddRange(i % 2 == 0 ? NewMail() : NextAction());
        }

        return events;
    }

    /// <summary>One event of every kind but StatusEvent, items and folders mixed, like the all-event-types capture.</summary>
    public IReadOnlyList<GeneratedEvent> EveryKind()
    {
        var events = new List<GeneratedEvent>();
        events.AddRange(NewMail());            // Created, NewMail, Modified (folder with UnreadCount)
        events.AddRange(ModifyItem());         // Modified (item)
        events.AddRange(CopyItem());           // Copied
        events.AddRange(MoveItem(_inbox, null)); // Moved (item)
        events.AddRange(CreateFolder());       // Created (folder)
        events.AddRange(MoveFolder());         // Moved (folder), Modified x2
        events.AddRange(DeleteItem());         // Deleted
        events.AddRange(CalendarChange());     // Created or Modified, FreeBusyChanged
        return events;
    }

    private IReadOnlyList<GeneratedEvent> NewMail()
    {
        var item = AddItem(_inbox, read: false);
        return
        [
            new(EventKind.Created, item.Id, _inbox.Id),
            new(EventKind.NewMail, item.Id, _inbox.Id),
            FolderModified(_inbox),
        ];
    }

    private IReadOnlyList<GeneratedEvent> ReadItem()
    {
        var (folder, item) = PickItem(i => !i.Read);
        if (item is null)
        {
            return NewMail();
        }

        item.Read = true;
        item.Id = item.Id with { ChangeKey = ExchangeIds.ChangeKey(folder: false, _random) };
        folder.Unread--;
        // One user action, two events: the item and its folder (Microsoft's "modifying an item" example).
        return [new(EventKind.Modified, item.Id, folder.Id), FolderModified(folder)];
    }

    private IReadOnlyList<GeneratedEvent> ModifyItem()
    {
        var (folder, item) = PickItem(_ => true);
        if (item is null)
        {
            return NewMail();
        }

        item.Id = item.Id with { ChangeKey = ExchangeIds.ChangeKey(folder: false, _random) };
        return [new(EventKind.Modified, item.Id, folder.Id)];
    }

    private IReadOnlyList<GeneratedEvent> MoveItem(Folder? source, Folder? destination)
    {
        var (folder, item) = source is null ? PickItem(_ => true) : (source, source.Items.Count > 0 ? source.Items[0] : null);
        if (item is null)
        {
            return NewMail();
        }

        var target = destination ?? OtherMailFolder(folder);
        RemoveItem(folder, item);
        // A moved item gets a new id in its new folder; the old one is reported as OldItemId.
        var moved = AddItem(target, item.Read);
        return [new(EventKind.Moved, moved.Id, target.Id, item.Id, folder.Id)];
    }

    private IReadOnlyList<GeneratedEvent> CopyItem()
    {
        var (folder, item) = PickItem(_ => true);
        if (item is null)
        {
            return NewMail();
        }

        var target = OtherMailFolder(folder);
        var copy = AddItem(target, item.Read);
        return [new(EventKind.Copied, copy.Id, target.Id, item.Id, folder.Id)];
    }

    private IReadOnlyList<GeneratedEvent> DeleteItem()
    {
        var (folder, item) = PickItem(_ => true);
        if (item is null)
        {
            return NewMail();
        }

        RemoveItem(folder, item);
        return [new(EventKind.Deleted, item.Id, folder.Id)];
    }

    private List<GeneratedEvent> EmptyDeletedItems()
    {
        var events = new List<GeneratedEvent>(_deletedItems.Items.Count);
        foreach (var item in _deletedItems.Items)
        {
            events.Add(new(EventKind.Deleted, item.Id, _deletedItems.Id));
        }

        _deletedItems.Items.Clear();
        _deletedItems.Unread = 0;
        return events;
    }

    private IReadOnlyList<GeneratedEvent> CalendarChange()
    {
        // Meetings touch free/busy: the calendar item event comes with a FreeBusyChangedEvent for the same item.
        if (_calendar.Items.Count > 0 && _random.Next(2) == 0)
        {
            var meeting = _calendar.Items[_random.Next(_calendar.Items.Count)];
            meeting.Id = meeting.Id with { ChangeKey = ExchangeIds.ChangeKey(folder: false, _random) };
            return [new(EventKind.Modified, meeting.Id, _calendar.Id), new(EventKind.FreeBusyChanged, meeting.Id, _calendar.Id)];
        }

        var created = AddItem(_calendar, read: true);
        return [new(EventKind.Created, created.Id, _calendar.Id), new(EventKind.FreeBusyChanged, created.Id, _calendar.Id)];
    }

    private IReadOnlyList<GeneratedEvent> CreateFolder()
    {
        if (_userFolders.Count >= MaxUserFolders)
        {
            return DeleteFolder();
        }

        var parent = _random.Next(2) == 0 ? _root : _inbox;
        var folder = NewFolder(parent);
        _userFolders.Add(folder);
        _mailFolders.Add(folder);
        return [new(EventKind.Created, folder.Id, parent.Id)];
    }

    private IReadOnlyList<GeneratedEvent> MoveFolder()
    {
        if (_userFolders.Count == 0)
        {
            return CreateFolder();
        }

        var folder = _userFolders[_random.Next(_userFolders.Count)];
        var oldParent = folder.Parent!;
        var newParent = oldParent == _root ? _inbox : _root;
        var oldId = folder.Id;
        folder.Parent = newParent;
        folder.Id = folder.Id with { ChangeKey = ExchangeIds.ChangeKey(folder: true, _random) };
        // Moving a folder is three events: the folder, and both parents (whose child counts changed).
        return
        [
            new(EventKind.Moved, folder.Id, newParent.Id, oldId, oldParent.Id),
            new(EventKind.Modified, oldParent.Id, oldParent.Parent!.Id),
            new(EventKind.Modified, newParent.Id, newParent.Parent!.Id),
        ];
    }

    private IReadOnlyList<GeneratedEvent> DeleteFolder()
    {
        if (_userFolders.Count == 0)
        {
            return CreateFolder();
        }

        var folder = _userFolders[_random.Next(_userFolders.Count)];
        _userFolders.Remove(folder);
        _mailFolders.Remove(folder);
        return [new(EventKind.Deleted, folder.Id, folder.Parent!.Id)];
    }

    private static GeneratedEvent FolderModified(Folder folder) => new(EventKind.Modified, folder.Id, folder.Parent!.Id, UnreadCount: folder.Unread);

    private Folder? OverfullFolder()
    {
        foreach (var folder in _mailFolders)
        {
            if (folder.Items.Count > MaxItemsPerFolder)
            {
                return folder;
            }
        }

        return _calendar.Items.Count > MaxItemsPerFolder ? _calendar : null;
    }

    private (Folder Folder, Item? Item) PickItem(Func<Item, bool> predicate)
    {
        // Start at a random folder so that every folder's items get touched over time.
        var start = _random.Next(_mailFolders.Count);
        for (var i = 0; i < _mailFolders.Count; i++)
        {
            var folder = _mailFolders[(start + i) % _mailFolders.Count];
            var candidates = folder.Items.Where(predicate).ToList();
            if (candidates.Count > 0)
            {
                return (folder, candidates[_random.Next(candidates.Count)]);
            }
        }

        return (_inbox, null);
    }

    private Folder OtherMailFolder(Folder than)
    {
        Folder target;
        do
        {
            target = _mailFolders[_random.Next(_mailFolders.Count)];
        }
        while (target == than);
        return target;
    }

    private Item AddItem(Folder folder, bool read)
    {
        var item = new Item(new ExchangeObject(ExchangeIds.ObjectId(_mailboxText, folder: false, _random), ExchangeIds.ChangeKey(folder: false, _random), IsFolder: false), read);
        folder.Items.Add(item);
        if (!read)
        {
            folder.Unread++;
        }

        return item;
    }

    private static void RemoveItem(Folder folder, Item item)
    {
        folder.Items.Remove(item);
        if (!item.Read)
        {
            folder.Unread--;
        }
    }

    private Folder NewFolder(Folder? parent) =>
        new(new ExchangeObject(ExchangeIds.ObjectId(_mailboxText, folder: true, _random), ExchangeIds.ChangeKey(folder: true, _random), IsFolder: true), parent);

    private sealed class Folder(ExchangeObject id, Folder? parent)
    {
        public ExchangeObject Id { get; set; } = id;

        public Folder? Parent { get; set; } = parent;

        public List<Item> Items { get; } = [];

        public int Unread { get; set; }
    }

    private sealed class Item(ExchangeObject id, bool read)
    {
        public ExchangeObject Id { get; set; } = id;

        public bool Read { get; set; } = read;
    }
}
