namespace PushListener;

/// <summary>An EWS item or folder id as it arrived: opaque strings, compare them exactly.</summary>
/// <param name="Kind">Whether this names an item or a folder.</param>
/// <param name="Id">The <c>Id</c> attribute.</param>
/// <param name="ChangeKey">The <c>ChangeKey</c> attribute, or <see langword="null"/> when the sender omitted it (Amazon WorkMail does).</param>
public readonly record struct ObjectId(ObjectIdKind Kind, string Id, string? ChangeKey)
{
    /// <inheritdoc />
    public override string ToString() => ChangeKey is null ? $"{Kind}:{Id}" : $"{Kind}:{Id} ({ChangeKey})";
}
