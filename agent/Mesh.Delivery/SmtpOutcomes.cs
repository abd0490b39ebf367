using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Mesh.Events.V1;
using Mesh.Schedule.V1;

namespace Mesh.Delivery;

/// <summary>
/// The one place where SMTP replies and failures become outcomes (KumoMTA's bounce classifier):
/// 2xx delivered, 4xx deferred, 5xx bounced, and connection failures kept apart from refusals.
/// </summary>
internal static class SmtpOutcomes
{
    internal static uint Elapsed(long started) => (uint)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    internal static RecipientOutcome FromReply(string recipient, int code, string text, DeliveryDetails details)
    {
        var outcome = code switch
        {
            >= 200 and < 300 => Outcome.Delivered,
            >= 500 => Outcome.Bounced,
            _ => Outcome.Deferred,
        };
        var d = details.Clone();
        d.SmtpCode = (uint)code;
        d.Reply = text;
        d.EnhancedCode = SmtpReply.EnhancedCode(text);
        return new RecipientOutcome(recipient, outcome, d);
    }

    internal static IEnumerable<RecipientOutcome> All(List<string> recipients, Outcome outcome, DeliveryDetails details) =>
        recipients.Select(r => new RecipientOutcome(r, outcome, details.Clone())).ToList();

    internal static DeliveryDetails ConnectionFailure(MailHost host, IPAddress address, Exception e) => new()
    {
        RemoteMx = host.Host,
        RemoteIp = address.ToString(),
        SmtpCode = e is SmtpCommandException command ? (uint)command.StatusCode : 0,
        Reply = $"cannot open an SMTP session with {host.Host} [{address}]: {e.Message}",
    };

    /// <summary>Failures of the connection rather than refusals by the server (those are SmtpCommandException).</summary>
    internal static bool IsConnectionFailure(Exception e, CancellationToken ct) =>
        e is IOException or SocketException or SmtpProtocolException or TimeoutException or ServiceNotConnectedException
            or SslHandshakeException or AuthenticationException
        || (e is OperationCanceledException && !ct.IsCancellationRequested);
}
