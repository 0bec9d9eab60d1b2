using Microsoft.Extensions.Logging.Abstractions;
using PushListener.Hosting;

namespace PushListener.Tests.Hosting;

public sealed class PushListenerStartupTests
{
    [Fact]
    public async Task Start_RunsStepsByStage_WhateverTheRegistrationOrder_ThenOpensTheGate()
    {
        var order = new List<string>();
        var gate = new StartupGate();
        IStartupStep[] steps = [new Step("feeds", StartupStage.LoadState, order), new Step("storage", StartupStage.OpenStorage, order), new Step("registrations", StartupStage.LoadState, order)];
        var startup = new PushListenerStartup(steps, gate, NullLogger<PushListenerStartup>.Instance);
        var waiting = gate.WaitAsync(CancellationToken.None);

        Assert.False(waiting.IsCompleted);
        await startup.StartAsync(CancellationToken.None);

        Assert.Equal(["storage", "feeds", "registrations"], order);
        await waiting;
    }

    [Fact]
    public async Task Start_AStepFails_TheGateStaysClosed()
    {
        var gate = new StartupGate();
        var startup = new PushListenerStartup([new Step("storage", StartupStage.OpenStorage, [], fail: true)], gate, NullLogger<PushListenerStartup>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => startup.StartAsync(CancellationToken.None));

        Assert.False(gate.WaitAsync(CancellationToken.None).IsCompleted);
    }

    private sealed class Step(string name, StartupStage stage, List<string> order, bool fail = false) : IStartupStep
    {
        public StartupStage Stage => stage;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (fail)
            {
                throw new InvalidOperationException(name + " failed");
            }

            order.Add(name);
            return Task.CompletedTask;
        }
    }
}
