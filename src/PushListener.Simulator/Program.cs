using PushListener.Simulator.Commands;
using Spectre.Console;

namespace PushListener.Simulator;

/// <summary>
/// The entry point. A named class rather than top-level statements: the tests see this assembly's internals and also
/// host the listener's global <c>Program</c>, and two global <c>Program</c> types would collide.
/// </summary>
internal static class EntryPoint
{
    public static Task<int> Main(string[] args) => SimulatorCommandLine.Create(AnsiConsole.Console).Parse(args).InvokeAsync();
}
