using System.Net;
using Mesh.Agent;
using Mesh.Agent.Journal;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Tests.Agent;

/// <summary>
/// Dispatch acknowledges results, also the last ones of an agent that drains on stop: its journal then
/// holds nothing to send again.
/// </summary>
public sealed class JournalAcknowledgedOnStop
{
    [Fact]
    public async Task DeliveredThenStopped_JournalHasNothingUnacknowledged()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        var agent = await stack.StartAgentAsync(settings);

        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example", "ana@example.net", "bo@example.net"), tenant.Headers).ResponseAsync.DefaultTimeout();
        foreach (var delivery in sent.Deliveries)
        {
            await events.WaitForAsync(delivery.MessageId, EventType.Delivered);
        }

        await stack.StopAgentAsync(agent);

        using var journal = new AgentJournal(Options.Create(new AgentOptions { JournalPath = settings["Agent:JournalPath"] }), TimeProvider.System, NullLogger<AgentJournal>.Instance);
        Assert.Empty(journal.Unacknowledged());
        foreach (var delivery in sent.Deliveries)
        {
            Assert.False(journal.TryClaim(new Mesh.Agent.V1.JobRef { DeliveryId = delivery.MessageId, Attempt = 1 }, out var known));
            Assert.Equal(Mesh.Schedule.V1.Outcome.Delivered, known!.Result.Recipients[0].Outcome);
        }
    }
}
