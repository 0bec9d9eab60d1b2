using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace PushListener.Tests.Infrastructure;

/// <summary>The schemas in wsdl/ (copied next to the test assembly) as an XmlSchemaSet.</summary>
internal static class ContractSchemas
{
    private static readonly Lazy<XmlSchemaSet> Set = new(Load);

    public static XmlSchemaSet Schemas => Set.Value;

    /// <summary>Validation errors of <paramref name="element"/> as a document of its own; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(XElement element)
    {
        var errors = new List<string>();
        new XDocument(new XElement(element)).Validate(Schemas, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        return errors;
    }

    private static XmlSchemaSet Load()
    {
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        var folder = Path.Combine(AppContext.BaseDirectory, "wsdl");
        set.Add(null, Path.Combine(folder, "messages.xsd"));
        set.Add(null, Path.Combine(folder, "types.xsd"));
        set.Compile();
        return set;
    }
}
