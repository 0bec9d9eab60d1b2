using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http.Extensions;

namespace PushListener.Endpoint;

/// <summary>
/// <c>GET {Path}?wsdl</c> and <c>GET {Path}?xsd=NAME</c>: the contract from <c>wsdl/</c>, embedded in the assembly, with the
/// port addresses set to the URL the caller used (after forwarded headers) and schema locations pointing back here.
/// </summary>
internal sealed class ContractDocuments
{
    public const string WsdlName = "NotificationService.wsdl";
    private static readonly XNamespace XmlSchema = "http://www.w3.org/2001/XMLSchema";
    private static readonly XNamespace WsdlSoap11 = "http://schemas.xmlsoap.org/wsdl/soap/";
    private static readonly XNamespace WsdlSoap12 = "http://schemas.xmlsoap.org/wsdl/soap12/";
    private readonly Dictionary<string, XDocument> _documents;

    public ContractDocuments()
    {
        _documents = new Dictionary<string, XDocument>(StringComparer.OrdinalIgnoreCase);
        var assembly = typeof(ContractDocuments).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("wsdl/", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            _documents[resource["wsdl/".Length..]] = XDocument.Load(stream, LoadOptions.PreserveWhitespace);
        }

        if (!_documents.ContainsKey(WsdlName))
        {
            throw new InvalidOperationException($"The embedded contract {WsdlName} is missing from the build.");
        }
    }

    public IEnumerable<string> Names => _documents.Keys;

    public async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string? name = null;
        if (query.ContainsKey("wsdl") || query.ContainsKey("WSDL"))
        {
            name = WsdlName;
        }
        else if (query.TryGetValue("xsd", out var xsd) && xsd.Count == 1)
        {
            name = xsd[0];
        }

        if (name is null)
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            await context.Response.WriteAsync("SendNotification takes POST. GET ?wsdl returns the contract.", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!_documents.TryGetValue(name, out var template))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("No such schema. GET ?wsdl returns the contract.", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var endpointUrl = UriHelper.BuildAbsolute(context.Request.Scheme, context.Request.Host, context.Request.PathBase, context.Request.Path);
        var body = Render(template, endpointUrl);
        context.Response.ContentType = "text/xml; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The document with addresses and schema locations rewritten for <paramref name="endpointUrl"/>.</summary>
    public byte[] Render(XDocument template, string endpointUrl)
    {
        var document = new XDocument(template);
        foreach (var address in document.Descendants().Where(e => e.Name == WsdlSoap11 + "address" || e.Name == WsdlSoap12 + "address"))
        {
            address.SetAttributeValue("location", endpointUrl);
        }

        foreach (var reference in document.Descendants().Where(e => e.Name == XmlSchema + "import" || e.Name == XmlSchema + "include"))
        {
            if (reference.Attribute("schemaLocation") is { } location && _documents.ContainsKey(location.Value))
            {
                location.Value = endpointUrl + "?xsd=" + Uri.EscapeDataString(location.Value);
            }
        }

        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
        {
            document.Save(writer);
        }

        return buffer.ToArray();
    }
}
