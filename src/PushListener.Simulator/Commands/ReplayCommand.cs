using System.CommandLine;
using System.Xml;
using PushListener.Protocol;
using PushListener.Simulator.Reporting;
using PushListener.Simulator.Sending;
using Spectre.Console;

namespace PushListener.Simulator.Commands;

/// <summary><c>replay FILE</c>: POST a captured body exactly as it is, with Exchange's headers, and show the answer.</summary>
internal static class ReplayCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var file = new Argument<FileInfo>("file") { Description = "A captured SendNotification body (no HTTP headers), e.g. tests/Fixtures/all-event-types.xml." };
        file.AcceptExistingOnly();
        var url = SimulatorCommandLine.UrlOption();
        var soap = SimulatorCommandLine.SoapVersionOption(defaultValue: null);
        var timeout = SimulatorCommandLine.DurationOption("--timeout", TimeSpan.FromSeconds(30), "How long to wait for the answer");
        var showReply = new Option<bool>("--show-reply") { Description = "Print the answer body." };
        var json = SimulatorCommandLine.JsonOption();

        var command = new Command("replay", "POST a captured request body with Exchange's headers; exit code 0 when the listener answered OK or Unsubscribe.")
        {
            file, url, soap, timeout, showReply, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(file);
            var target = parseResult.GetRequiredValue(url);
            var requestTimeout = parseResult.GetValue(timeout);
            if (SimulatorCommandLine.Report(parseResult, requestTimeout > TimeSpan.Zero ? [] : ["--timeout must be positive."]) is not 0 and var code)
            {
                return code;
            }

            var body = await File.ReadAllBytesAsync(path.FullName, cancellationToken);
            var (detected, charset) = Sniff(body);
            var version = parseResult.GetValue(soap) is { } chosen ? SimulatorCommandLine.ToSoapVersion(chosen) : detected;
            using var client = ExchangeSender.CreateHttpClient();
            var sender = new ExchangeSender(client, requestTimeout, TimeProvider.System);
            var result = await sender.SendAsync(target, body, version, charset, TimeProvider.System.GetTimestamp(), captureReply: true, cancellationToken);
            var summary = new ReplaySummary(
                target.ToString(),
                path.Name,
                ExchangeSender.ContentType(version, charset),
                result.StatusCode,
                result.Outcome,
                Math.Round(result.Latency.TotalMilliseconds, 3),
                result.Detail,
                parseResult.GetValue(showReply) || parseResult.GetValue(json) ? result.Reply : null);
            if (parseResult.GetValue(json))
            {
                SimulatorCommandLine.WriteJson(parseResult, summary, SummaryJson.Default.ReplaySummary);
            }
            else
            {
                ConsoleReport.WriteReplay(console, summary);
            }

            return result.IsAcknowledged ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// The SOAP version from the root element's namespace (anything unreadable is sent as 1.1, as captures of hostile
    /// input should be) and the charset from a UTF-16 byte-order mark.
    /// </summary>
    internal static (SoapVersion Version, string Charset) Sniff(byte[] body)
    {
        var charset = body.Length >= 2 && ((body[0] == 0xFF && body[1] == 0xFE) || (body[0] == 0xFE && body[1] == 0xFF)) ? "utf-16" : "utf-8";
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
            var version = reader.MoveToContent() == XmlNodeType.Element && reader.NamespaceURI == XmlNames.Soap12Envelope
                ? SoapVersion.Soap12
                : SoapVersion.Soap11;
            return (version, charset);
        }
        catch (XmlException)
        {
            return (SoapVersion.Soap11, charset);
        }
    }
}
