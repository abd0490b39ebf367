using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mesh.Tests.Infrastructure;

/// <summary>Answers RCPT TO as the <see cref="SmtpScript"/> says, counting every attempt.</summary>
internal sealed class ScriptedMailboxFilter(SmtpScript script, SmtpReceiverLog log) : IMailboxFilter
{
    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
        Task.FromResult(true);

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        log.CountRcpt();
        var reply = script.NextRcptReply(MailboxText.Of(to));
        if (reply is null)
        {
            return Task.FromResult(true);
        }

        // Returning false would always answer 553; an SmtpResponseException carries our own
        // code and text. SmtpServer appends ", N retry(ies) remaining." to the text.
        return Task.FromException<bool>(
            new SmtpResponseException(new SmtpResponse((SmtpReplyCode)reply.Code, reply.Text)));
    }
}
