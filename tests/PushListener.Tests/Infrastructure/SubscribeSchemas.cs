using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace PushListener.Tests.Infrastructure;

/// <summary>wsdl/subscribe/ (the project's subset of Microsoft's Subscribe schema, copied next to the test assembly) as an XmlSchemaSet.</summary>
internal static class SubscribeSchemas
{
    private static readonly Lazy<XmlSchemaSet> Set = new(Load);

    private static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";

    /// <summary>
    /// Validation errors of a SOAP Subscribe request: each header element and the body's element, validated as
    /// documents of their own (the SOAP envelope itself is not in the schema). Empty when valid.
    /// </summary>
    public static IReadOnlyList<string> ValidateEnvelope(byte[] request)
    {
        var document = XDocument.Load(new MemoryStream(request));
        var errors = new List<string>();
        if (document.Root?.Name != Soap + "Envelope")
        {
            return ["not a SOAP 1.1 envelope"];
        }

        foreach (var element in document.Root.Element(Soap + "Header")?.Elements() ?? [])
        {
            errors.AddRange(Validate(element));
        }

        var body = document.Root.Element(Soap + "Body")?.Elements().ToList() ?? [];
        if (body.Count != 1)
        {
            errors.Add($"the body holds {body.Count} elements");
        }

        foreach (var element in body)
        {
            errors.AddRange(Validate(element));
        }

        return errors;
    }

    public static IReadOnlyList<string> Validate(XElement element)
    {
        var errors = new List<string>();
        new XDocument(new XElement(element)).Validate(Set.Value, (_, e) => errors.Add($"{e.Severity}: {e.Message}"), addSchemaInfo: false);
        return errors;
    }

    private static XmlSchemaSet Load()
    {
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        var folder = Path.Combine(AppContext.BaseDirectory, "wsdl", "subscribe");
        set.Add(null, Path.Combine(folder, "types.xsd"));
        set.Add(null, Path.Combine(folder, "messages.xsd"));
        set.Compile();
        return set;
    }
}
