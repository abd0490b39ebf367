using System.Net;
using Mesh.Delivery;
using Mesh.Schedule.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Tests.Delivery;

/// <summary>The delivery engine aimed at one loopback server, delivering from 127.0.0.2.</summary>
public static class Engine
{
    public static SmtpDeliverer For(IPEndPoint server, TimeSpan? commandTimeout = null, int maxConnections = 10, ShapingOptions? shaping = null, TimeSpan? dataTermination = null)
    {
        var options = Options.Create(new DeliveryOptions
        {
            SourceAddress = "127.0.0.2",
            EhloName = "agent.test",
            AllowPrivateDestinations = true,
            StaticRoutes = new(StringComparer.OrdinalIgnoreCase) { ["example.net"] = server.ToString(), ["example.org"] = server.ToString() },
            Shaping = shaping ?? new ShapingOptions(),
            CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
            DataBlockTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
            DataTerminationTimeout = dataTermination ?? commandTimeout ?? TimeSpan.FromSeconds(10),
            MaxConnectionsPerDestination = maxConnections,
        });
        return Create(options.Value);
    }

    /// <summary>The engine with exactly these options (DNS routing through its configured resolver).</summary>
    public static SmtpDeliverer Create(DeliveryOptions options)
    {
        var wrapped = Options.Create(options);
        return new SmtpDeliverer(new DnsMailRouter(wrapped), wrapped, TimeProvider.System, NullLogger<SmtpDeliverer>.Instance);
    }

    public static DeliveryRequest Message(params string[] recipients) => Message(bodyLines: 1, recipients);

    public static DeliveryRequest Message(int bodyLines, params string[] recipients) => new(
        "hello@acme.example",
        recipients.DefaultIfEmpty("ana@example.net").ToList(),
        System.Text.Encoding.ASCII.GetBytes("From: hello@acme.example\r\nTo: ana@example.net\r\nSubject: test\r\nMessage-ID: <t@acme.example>\r\n\r\n"
            + string.Concat(Enumerable.Repeat("Hello, this is a line of the message body.\r\n", bodyLines))));

    public static async Task<RecipientOutcome> DeliverOneAsync(IPEndPoint server, TimeSpan? commandTimeout = null)
    {
        await using var engine = For(server, commandTimeout);
        return Assert.Single(await engine.DeliverAsync(Message(), CancellationToken.None).DefaultTimeout());
    }

    public static Outcome Expected(string reply) => reply[0] == '4' ? Outcome.Deferred : Outcome.Bounced;
}
