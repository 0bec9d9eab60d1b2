using System.CommandLine;

namespace PushListener.Cli;

/// <summary>
/// The command line of the PushListener executable. Without a command it runs the service (Program.cs); with a command
/// (<c>deadletters</c>, <c>inbox</c>) or <c>--help</c> it answers and exits without starting a server.
/// </summary>
internal static class HostCommandLine
{
    private static readonly string[] Commands = ["deadletters", "inbox", "managed"];
    private static readonly string[] HelpTokens = ["--help", "-h", "-?", "/?", "--version"];

    /// <summary>True when <paramref name="args"/> name a command or ask for help, rather than starting the service.</summary>
    public static bool Handles(string[] args) =>
        args.Length > 0 && (Commands.Contains(args[0], StringComparer.Ordinal) || args.Any(a => HelpTokens.Contains(a, StringComparer.Ordinal)));

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        // Settings (--PushListener:Inbox:DataFolder=...) are configuration, not arguments: they go around the parser.
        var settings = args.Where(IsSetting).ToArray();
        return Create(settings).Parse([.. args.Where(a => !IsSetting(a))]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>A <c>--Section:Key=Value</c> setting.</summary>
    internal static bool IsSetting(string token) =>
        token.StartsWith("--", StringComparison.Ordinal) && token.IndexOf('=', StringComparison.Ordinal) is > 2 and var equals && token.AsSpan(2, equals - 2).Contains(':');

    // Listed in --help; its own parser (ManagedCommandLine) reads the words, as Program.cs hands it 'managed' directly.
    private static Command Managed(IReadOnlyList<string> settings)
    {
        var managed = new Command("managed", "Managed subscriptions of the running service, through its admin API: list, show NAME, resubscribe NAME, add NAME ..., remove NAME (--url, --api-key).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        managed.SetAction((parse, _) => ManagedCommandLine.RunAsync(["managed", .. parse.UnmatchedTokens, .. settings], parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return managed;
    }

    public static RootCommand Create(IReadOnlyList<string> settings)
    {
        var root = new RootCommand("""
            PushListener: receives Exchange push notifications (EWS SendNotification), stores each durably and hands it to its handlers.

            Without a command it runs the service. Settings come from appsettings.json, environment variables
            (PushListener__Inbox__DataFolder=...) and arguments written --Section:Key=Value (--PushListener:Inbox:DataFolder=/var/lib/pushlistener).
            It listens on http://localhost:5080 unless --urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS or Kestrel:Endpoints say otherwise.
            """)
        {
            new Option<string>("--urls") { Description = "Addresses to listen on, separated by ';' (e.g. http://0.0.0.0:8080).", HelpName = "URLS" },
            new Option<string>("--environment") { Description = "The hosting environment (Production by default; Development reads appsettings.Development.json).", HelpName = "NAME" },
            new Option<string>("--contentRoot") { Description = "The folder appsettings.json and the relative data folder are read from (default: the current folder).", HelpName = "PATH" },
            InboxCommands.DeadLetters(settings),
            InboxCommands.Inbox(settings),
            Managed(settings),
        };
        root.TreatUnmatchedTokensAsErrors = false;

        // Reached only for a bare 'PushListener --version'-like request without help: the service starts from Program.cs otherwise.
        root.SetAction(static parse =>
        {
            parse.InvocationConfiguration.Error.WriteLine("Run without a command to start the service; see --help.");
            return 1;
        });
        return root;
    }
}
