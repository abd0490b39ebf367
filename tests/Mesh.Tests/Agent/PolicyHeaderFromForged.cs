using System.Net;
using System.Threading.Channels;
using Google.Protobuf;
using Mesh.Agent;
using Mesh.Agent.V1;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Mesh.Tests.Agent;

/// <summary>
/// A compromised provider keeps an allowed envelope sender but forges the header From of the MIME it
/// leases: the agent parses the header From, refuses the job, and the tenant sees rejected_by_agent_policy.
/// The provider cannot produce such a job itself, so the lease is taken over a raw link and altered.
/// </summary>
public sealed class PolicyHeaderFromForged
{
    [Fact]
    public async Task HeaderFromNotAllowed_RejectedByAgentPolicy_NothingSent()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        settings["Agent:Policy:AllowAnySenderDomain"] = "false";
        settings["Agent:Policy:AllowedSenderDomains:0"] = "acme.example";

        await using var link = await RawAgent.ConnectAsync(stack, tenant.AgentToken.Secret, "agent-1", credits: 1);
        await link.ReadAsync();
        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var job = (await link.ReadAsync()).Job;
        Assert.Equal("hello@acme.example", job.MailFrom);
        var message = await MimeMessage.LoadAsync(new MemoryStream(job.Mime.ToByteArray())).DefaultTimeout();
        message.From.Clear();
        message.From.Add(new MailboxAddress("Your Bank", "security@bank.example"));
        job.Mime = ByteString.CopyFrom(Serialize(message));

        using var agent = AgentHost.Build([], settings);
        var runner = agent.Services.GetRequiredService<JobRunner>();
        var outbound = Channel.CreateUnbounded<AgentMessage>();
        runner.Attach(outbound, acknowledgeOnWrite: false);
        Assert.True(runner.Start(job));
        var result = await ReadResultAsync(outbound.Reader);
        await link.SendAsync(new AgentMessage { Result = result }).DefaultTimeout();

        var rejected = await events.WaitForAsync(sent.Deliveries[0].MessageId, EventType.RejectedByAgentPolicy);
        Assert.Contains("header From domain 'bank.example'", rejected.Details.Reply);
        Assert.Empty(receiver.Messages);
        Assert.Equal(0, receiver.RcptAttempts);
    }

    private static async Task<DeliveryResult> ReadResultAsync(ChannelReader<AgentMessage> reader)
    {
        while (true)
        {
            var message = await reader.ReadAsync().AsTask().DefaultTimeout();
            if (message.Result is { } result)
            {
                return result;
            }
        }
    }

    private static byte[] Serialize(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }
}
