using SmtpServer.Mail;

namespace Mesh.Tests.Infrastructure;

internal static class MailboxText
{
    /// <summary><c>user@host</c>, or the empty string for the null reverse-path <c>&lt;&gt;</c> (RFC 5321 §4.5.5).</summary>
    public static string Of(IMailbox? mailbox) =>
        mailbox is null || (string.IsNullOrEmpty(mailbox.User) && string.IsNullOrEmpty(mailbox.Host))
            ? string.Empty
            : mailbox.AsAddress();
}
