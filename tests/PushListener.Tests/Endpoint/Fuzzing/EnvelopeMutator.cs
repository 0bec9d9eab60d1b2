using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace PushListener.Tests.Endpoint.Fuzzing;

/// <summary>
/// Seeded, structure-aware mutations of a SendNotification envelope: duplicating, deleting, renaming, re-namespacing,
/// moving and inserting elements, changing text and attributes (ids with whitespace, ResponseClass, mustUnderstand,
/// actor and role), stray text; then, sometimes, byte-level damage. Each mutation is described, so a failure says what
/// was done.
/// </summary>
internal sealed class EnvelopeMutator(Random random)
{
    private const string M = "http://schemas.microsoft.com/exchange/services/2006/messages";
    private const string T = "http://schemas.microsoft.com/exchange/services/2006/types";
    private const string Foreign = "urn:fuzz:foreign";

    private static readonly string[] Names =
    [
        "Envelope", "Header", "Body", "SendNotification", "ResponseMessages", "SendNotificationResponseMessage", "ResponseCode",
        "MessageText", "DescriptiveLinkKey", "MessageXml", "Value", "Notification", "SubscriptionId", "PreviousWatermark",
        "MoreEvents", "CopiedEvent", "CreatedEvent", "DeletedEvent", "ModifiedEvent", "MovedEvent", "NewMailEvent", "StatusEvent",
        "FreeBusyChangedEvent", "Watermark", "TimeStamp", "ItemId", "FolderId", "ParentFolderId", "OldItemId", "OldFolderId",
        "OldParentFolderId", "UnreadCount", "RequestServerVersion", "FutureEvent", "NewmailEvent", "MailboxGuid", "Extension",
    ];

    private static readonly string[] Texts =
    [
        string.Empty, "   ", "true", "false", "1", "0", "TRUE", "yes", "-5", "2147483648", "NoError", "Error",
        "2026-11-20T09:41:27Z", "2026-11-20T09:41:27", "2026-13-45T00:00:00Z", "AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABo/QQAAAAA=",
    ];

    public List<string> Applied { get; } = [];

    /// <summary>One to three mutations of <paramref name="document"/> (changed in place).</summary>
    public void Mutate(XDocument document)
    {
        for (var count = random.Next(1, 4); count > 0; count--)
        {
            MutateOnce(document);
        }
    }

    /// <summary>Damage to the serialized bytes: a changed byte, a cut, a removed or repeated range.</summary>
    public byte[] Damage(byte[] body)
    {
        var at = random.Next(body.Length);
        switch (random.Next(4))
        {
            case 0:
                var copy = (byte[])body.Clone();
                copy[at] = (byte)random.Next(256);
                Applied.Add($"byte {at} := 0x{copy[at]:x2}");
                return copy;
            case 1:
                Applied.Add($"cut at {at}");
                return body[..at];
            case 2:
                var length = Math.Min(random.Next(1, 40), body.Length - at);
                Applied.Add($"remove {length} bytes at {at}");
                return [.. body[..at], .. body[(at + length)..]];
            default:
                var repeat = Math.Min(random.Next(1, 40), body.Length - at);
                Applied.Add($"repeat {repeat} bytes at {at}");
                return [.. body[..(at + repeat)], .. body[at..]];
        }
    }

    public static byte[] Serialize(XDocument document)
    {
        try
        {
            return Save(document);
        }
        catch (XmlException)
        {
            // A renamed element can contradict its own xmlns="..." declaration: let LINQ to XML declare what it needs.
            foreach (var declaration in document.Descendants().Attributes().Where(a => a.IsNamespaceDeclaration).ToList())
            {
                declaration.Remove();
            }

            return Save(document);
        }
    }

    private static byte[] Save(XDocument document)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            document.Save(writer);
        }

        return buffer.ToArray();
    }

    private void MutateOnce(XDocument document)
    {
        var elements = document.Root!.DescendantsAndSelf().ToList();
        var e = elements[random.Next(elements.Count)];
        var inner = e.Parent is not null;
        switch (random.Next(11))
        {
            case 0 when inner:
                e.AddAfterSelf(new XElement(e));
                Applied.Add("duplicate " + Path(e));
                break;
            case 1 when inner:
                Applied.Add("delete " + Path(e));
                e.Remove();
                break;
            case 2:
                var name = Names[random.Next(Names.Length)];
                Applied.Add($"rename {Path(e)} to {name}");
                e.Name = e.Name.Namespace + name;
                break;
            case 3:
                var ns = random.Next(4) switch { 0 => M, 1 => T, 2 => Foreign, _ => string.Empty };
                Applied.Add($"namespace of {Path(e)} := '{ns}'");
                e.Name = XName.Get(e.Name.LocalName, ns);
                break;
            case 4:
                var child = new XElement(XName.Get(Names[random.Next(Names.Length)], random.Next(3) switch { 0 => M, 1 => T, _ => Foreign }));
                if (random.Next(2) == 0)
                {
                    child.Add(Texts[random.Next(Texts.Length)]);
                }

                if (random.Next(2) == 0)
                {
                    e.AddFirst(child);
                }
                else
                {
                    e.Add(child);
                }

                Applied.Add($"insert {child.Name} into {Path(e)}");
                break;
            case 5 when !e.HasElements:
                var text = random.Next(3) switch
                {
                    0 => " \r\n\t" + e.Value + "\n ",
                    1 => e.Value + e.Value,
                    _ => Texts[random.Next(Texts.Length)],
                };
                Applied.Add($"text of {Path(e)} := '{text}'");
                e.Value = text;
                break;
            case 6:
                MutateAttribute(e, document.Root!.Name.Namespace);
                break;
            case 7 when inner:
                var target = elements[random.Next(elements.Count)];
                if (target == e || target.Ancestors().Contains(e))
                {
                    break;
                }

                e.Remove();
                target.Add(e);
                Applied.Add($"move {e.Name.LocalName} into {Path(target)}");
                break;
            case 8:
                e.AddFirst(random.Next(3) == 0 ? new XCData("cdata") : new XText("stray"));
                Applied.Add("stray text in " + Path(e));
                break;
            case 9 when inner && e.PreviousNode is XElement previous:
                e.Remove();
                previous.AddBeforeSelf(e);
                Applied.Add($"swap {Path(e)} with its previous sibling");
                break;
            case 10 when inner && e.Parent!.Parent is { } grandparent:
                e.Remove();
                grandparent.Add(e);
                Applied.Add($"lift {e.Name.LocalName} into {Path(grandparent)}");
                break;
            default:
                MutateAttribute(e, document.Root!.Name.Namespace);
                break;
        }
    }

    private void MutateAttribute(XElement e, XNamespace soap)
    {
        switch (random.Next(7))
        {
            case 0:
                var responseClass = new[] { "Success", "Warning", "Error", string.Empty, "success", " Error ", "Fatal" }[random.Next(7)];
                e.SetAttributeValue("ResponseClass", responseClass);
                Applied.Add($"{Path(e)}/@ResponseClass := '{responseClass}'");
                break;
            case 1:
                var must = new[] { "1", "true", "0", "false", "maybe", " 1 " }[random.Next(6)];
                e.SetAttributeValue(soap + "mustUnderstand", must);
                Applied.Add($"{Path(e)}/@mustUnderstand := '{must}'");
                break;
            case 2:
                var target = new[]
                {
                    "http://schemas.xmlsoap.org/soap/actor/next", "urn:fuzz:other-node", "http://www.w3.org/2003/05/soap-envelope/role/none",
                    "http://www.w3.org/2003/05/soap-envelope/role/next", "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver", string.Empty,
                }[random.Next(6)];
                e.SetAttributeValue(soap + (random.Next(2) == 0 ? "actor" : "role"), target);
                Applied.Add($"{Path(e)}/@actor-or-role := '{target}'");
                break;
            case 3:
                var id = e.Attribute("Id")?.Value ?? "AAMkADfuzz";
                var value = new[] { " " + id + " ", string.Empty, "\t", id + "\n", id }[random.Next(5)];
                e.SetAttributeValue(random.Next(4) == 0 ? "ChangeKey" : "Id", value);
                Applied.Add($"{Path(e)}/@Id-or-ChangeKey := '{value}'");
                break;
            case 4 when e.Attributes().FirstOrDefault(a => !a.IsNamespaceDeclaration) is { } attribute:
                attribute.Remove();
                Applied.Add($"remove {Path(e)}/@{attribute.Name}");
                break;
            case 5:
                var version = new[] { "Exchange2013", " Exchange2016 ", string.Empty, "V2026" }[random.Next(4)];
                e.SetAttributeValue("Version", version);
                Applied.Add($"{Path(e)}/@Version := '{version}'");
                break;
            default:
                e.SetAttributeValue(XName.Get("extra", random.Next(2) == 0 ? Foreign : string.Empty), "x");
                Applied.Add($"{Path(e)}/@extra := 'x'");
                break;
        }
    }

    private static string Path(XElement e) =>
        string.Join("/", e.AncestorsAndSelf().Reverse().Select(a => a.Name.Namespace == XNamespace.None ? a.Name.LocalName : Prefix(a.Name.NamespaceName) + a.Name.LocalName));

    private static string Prefix(string ns) => ns switch
    {
        M => "m:",
        T => "t:",
        Foreign => "f:",
        _ => "s:",
    };
}
