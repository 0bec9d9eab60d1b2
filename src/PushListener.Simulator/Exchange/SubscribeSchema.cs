using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace PushListener.Simulator.Exchange;

/// <summary>The project's subset of Microsoft's Subscribe schema (wsdl/subscribe/, embedded), for checking requests as Exchange does.</summary>
internal static class SubscribeSchema
{
    private static readonly Lazy<XmlSchemaSet> Set = new(Load);

    /// <summary>Validation errors of <paramref name="element"/> as a document of its own; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(XElement element)
    {
        var errors = new List<string>();
        new XDocument(new XElement(element)).Validate(Set.Value, (_, e) => errors.Add(e.Message));
        return errors;
    }

    private static XmlSchemaSet Load()
    {
        var assembly = typeof(SubscribeSchema).Assembly;
        var set = new XmlSchemaSet { XmlResolver = new EmbeddedResolver() };
        foreach (var name in new[] { "subscribe/types.xsd", "subscribe/messages.xsd" })
        {
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Embedded schema {name} is missing.");
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }, "embedded:///" + name);
            set.Add(null, reader);
        }

        set.Compile();
        return set;
    }

    /// <summary>Resolves messages.xsd's import of types.xsd to the embedded copy, which is already in the set.</summary>
    private sealed class EmbeddedResolver : XmlResolver
    {
        public override object? GetEntity(Uri absoluteUri, string? role, Type? ofObjectToReturn)
        {
            ArgumentNullException.ThrowIfNull(absoluteUri);
            var name = "subscribe/" + Path.GetFileName(absoluteUri.AbsolutePath);
            return typeof(SubscribeSchema).Assembly.GetManifestResourceStream(name) ?? throw new XmlException($"No embedded schema {name}.");
        }
    }
}
