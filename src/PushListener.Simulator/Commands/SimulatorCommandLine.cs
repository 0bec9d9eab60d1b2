using System.CommandLine;
using System.CommandLine.Parsing;
using PushListener.Protocol;
using Spectre.Console;

namespace PushListener.Simulator.Commands;

/// <summary>
/// The command line: <c>run</c>, <c>load</c>, <c>replay</c>, <c>exchange</c>. People get Spectre.Console output on
/// the console; <c>--json</c> writes one JSON document to the invocation's Output instead, and errors
/// go to its Error, so scripts can read stdout as it is.
/// </summary>
internal static class SimulatorCommandLine
{
    /// <summary>Exit code for options that make no sense together (System.CommandLine uses 1 for parse errors).</summary>
    public const int BadOptions = 2;

    public static RootCommand Create(IAnsiConsole console)
    {
        var root = new RootCommand(
            "Plays Exchange's side of EWS push notifications (MS-OXWSPSNTIF SendNotification) against a listener.")
        {
            RunCommand.Create(console),
            LoadCommand.Create(console),
            ReplayCommand.Create(console),
            ExchangeCommand.Create(console),
        };
        return root;
    }

    public static Option<Uri> UrlOption() => new("--url", "-u")
    {
        Description = "The listener's URL, as a subscription would name it, e.g. http://localhost:5080/ews/notifications.",
        Required = true,
        CustomParser = ParseUrl,
    };

    public static Option<TimeSpan> DurationOption(string name, TimeSpan defaultValue, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description + " (500ms, 30s, 2m, 1h or hh:mm:ss)",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = ParseDuration,
    };

    public static Option<string> SoapVersionOption(string? defaultValue)
    {
        var option = new Option<string>("--soap-version")
        {
            Description = defaultValue is null
                ? "1.1 (text/xml + SOAPAction) or 1.2 (application/soap+xml); default: from the file's Envelope."
                : "1.1 (text/xml + SOAPAction, what Exchange sends) or 1.2 (application/soap+xml, the WSDL's second binding).",
        };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        option.AcceptOnlyFromAmong("1.1", "1.2");
        return option;
    }

    public static Option<int> SeedOption() => new("--seed")
    {
        Description = "Seed of every random choice: the same seed plays the same ids, events and gaps between them.",
        DefaultValueFactory = _ => 1,
    };

    public static Option<bool> JsonOption() => new("--json")
    {
        Description = "Write the summary as JSON to stdout, with no progress display.",
    };

    public static SoapVersion ToSoapVersion(string? value) => value == "1.2" ? SoapVersion.Soap12 : SoapVersion.Soap11;

    /// <summary>Writes option errors and returns <see cref="BadOptions"/>, or 0 when there are none.</summary>
    public static int Report(ParseResult parseResult, IEnumerable<string> errors)
    {
        var error = parseResult.InvocationConfiguration.Error;
        var any = false;
        foreach (var message in errors)
        {
            error.WriteLine(message);
            any = true;
        }

        return any ? BadOptions : 0;
    }

    public static void WriteJson<T>(ParseResult parseResult, T summary, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine(System.Text.Json.JsonSerializer.Serialize(summary, type));
        output.Flush();
    }

    internal static Uri? ParseUrl(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }

        result.AddError($"'{text}' is not an absolute http or https URL.");
        return null;
    }

    private static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (DurationParser.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration (examples: 500ms, 30s, 2m, 1h, 00:01:30).");
        return default;
    }
}

