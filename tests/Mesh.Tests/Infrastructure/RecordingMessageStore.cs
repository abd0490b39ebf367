using System.Buffers;
using System.Net;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mesh.Tests.Infrastructure;

/// <summary>Answers the end of DATA as the <see cref="SmtpScript"/> says, and records accepted messages.</summary>
internal sealed class RecordingMessageStore(SmtpScript script, SmtpReceiverLog log) : IMessageStore
{
    public Task<SmtpResponse> SaveAsync(
        ISessionContext context,
        IMessageTransaction transaction,
        ReadOnlySequence<byte> buffer,
        CancellationToken cancellationToken)
    {
        log.CountData();
        var reply = script.NextDataReply() ?? new SmtpReply(250, $"2.0.0 Ok: queued as {log.NextQueueId()}");
        if (reply.Code is >= 200 and < 300)
        {
            log.Record(new ReceivedMessage(
                RemoteOf(context),
                MailboxText.Of(transaction.From),
                [.. transaction.To.Select(MailboxText.Of)],
                buffer.ToArray(),
                reply));
        }

        return Task.FromResult(new SmtpResponse((SmtpReplyCode)reply.Code, reply.Text));
    }

    private static IPEndPoint RemoteOf(ISessionContext context)
    {
        if (context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var value) && value is IPEndPoint remote)
        {
            return remote.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(remote.Address.MapToIPv4(), remote.Port) : remote;
        }

        throw new InvalidOperationException("SmtpServer did not record the client's remote endpoint for this session.");
    }
}
