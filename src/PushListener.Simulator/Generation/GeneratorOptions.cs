using PushListener.Protocol;

namespace PushListener.Simulator.Generation;

/// <summary>How pushes look.</summary>
internal sealed record GeneratorOptions
{
    /// <summary>SOAP 1.1 by default: Exchange itself only sends 1.1; 1.2 exercises the WSDL's second binding.</summary>
    public SoapVersion SoapVersion { get; init; } = SoapVersion.Soap11;

    /// <summary>The RequestServerVersion header: the version the subscription was created with.</summary>
    public string ServerVersion { get; init; } = "Exchange2013";

    /// <summary>Most events in one notification; more are split into pushes chained with MoreEvents.</summary>
    public int MaxEventsPerPush { get; init; } = 10;

    /// <summary>Probability that a mailbox action is a burst (a rule or bulk operation) rather than one action.</summary>
    public double BurstProbability { get; init; } = 0.05;

    /// <summary>The seed of every random choice, so a scenario can be played again exactly.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The mailbox server named inside subscription ids.</summary>
    public string ServerName { get; init; } = "SIM1PR01MB0001.simprd01.prod.outlook.com";
}
