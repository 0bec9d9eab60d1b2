namespace PushListener;

/// <summary>Whether an <see cref="ObjectId"/> names an item or a folder.</summary>
public enum ObjectIdKind
{
    /// <summary>An item (<c>ItemId</c>, <c>OldItemId</c>).</summary>
    Item,

    /// <summary>A folder (<c>FolderId</c>, <c>ParentFolderId</c>, <c>OldFolderId</c>, <c>OldParentFolderId</c>).</summary>
    Folder,
}
