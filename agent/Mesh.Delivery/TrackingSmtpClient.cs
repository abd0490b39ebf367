using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace Mesh.Delivery;

/// <summary>
/// A MailKit SmtpClient that records refused recipients instead of failing the whole
/// transaction, so that each recipient gets its own result.
/// </summary>
internal sealed class TrackingSmtpClient : SmtpClient
{
    public TrackingSmtpClient()
        : base(new NullProtocolLogger())
    {
    }

    public Dictionary<string, SmtpResponse> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        Refused[mailbox.Address] = response;

    protected override void OnNoRecipientsAccepted(MimeMessage message)
    {
        // Every recipient already has its refusal in Refused; MailKit sends RSET and skips DATA.
    }
}
