using Mesh.Schedule.V1;
using MimeKit;

namespace Mesh.Render;

/// <summary>Builds the MIME of one delivery with MimeKit.</summary>
public sealed class MessageBuilder(TemplateEngine templates, TimeProvider clock)
{
    public MimeMessage Build(Delivery delivery, CancellationToken ct)
    {
        var variables = TemplateEngine.ToVariables(delivery.Variables);
        var strict = delivery.StrictVariables;
        var subject = templates.Render(delivery.Content.Subject, variables, html: false, strict, ct);
        if (subject.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new RenderException("content.subject", "the rendered subject contains CR or LF");
        }

        var html = string.IsNullOrEmpty(delivery.Content.Html) ? null : templates.Render(delivery.Content.Html, variables, html: true, strict, ct);
        var text = string.IsNullOrEmpty(delivery.Content.Text)
            ? HtmlText.Convert(html ?? string.Empty)
            : templates.Render(delivery.Content.Text, variables, html: false, strict, ct);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(delivery.From.Name, delivery.From.Email));
        message.To.Add(new MailboxAddress(delivery.To.Name, delivery.To.Email));
        if (delivery.ReplyTo is { Email.Length: > 0 } replyTo)
        {
            message.ReplyTo.Add(new MailboxAddress(replyTo.Name, replyTo.Email));
        }

        message.Subject = subject;
        message.Date = clock.GetUtcNow();
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(DomainOf(delivery.From.Email));
        foreach (var (name, value) in delivery.Headers)
        {
            message.Headers.Add(name, value);
        }

        if (!string.IsNullOrEmpty(delivery.ListUnsubscribeUrl))
        {
            // RFC 8058 one-click: an https URI that takes a POST, plus a mailto for older clients.
            var mailto = string.IsNullOrEmpty(delivery.ListUnsubscribeMailto) ? string.Empty : $", <{delivery.ListUnsubscribeMailto}>";
            message.Headers.Add("List-Unsubscribe", $"<{delivery.ListUnsubscribeUrl}>{mailto}");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var builder = new BodyBuilder { TextBody = text, HtmlBody = html };
        foreach (var file in delivery.Content.Attachments)
        {
            var type = ContentType.Parse(file.ContentType);
            if (string.IsNullOrEmpty(file.ContentId))
            {
                builder.Attachments.Add(file.Filename, file.Data.ToByteArray(), type);
            }
            else
            {
                // Inline image: multipart/related with the HTML, referenced as cid:<content id>.
                builder.LinkedResources.Add(file.Filename, file.Data.ToByteArray(), type).ContentId = file.ContentId;
            }
        }

        message.Body = builder.ToMessageBody();
        // 7bit-safe transfer encodings: the signed bytes then pass any relay unchanged,
        // and no line exceeds 998 characters (RFC 5322 §2.1.1).
        message.Prepare(EncodingConstraint.SevenBit, 78);
        return message;
    }

    private static string DomainOf(string email) => email[(email.LastIndexOf('@') + 1)..];
}

/// <summary>The delivery cannot be rendered; retrying will not help.</summary>
public sealed class RenderException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
