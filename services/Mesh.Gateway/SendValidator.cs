using Google.Protobuf;
using Mesh.Gateway.V1;
using Mesh.Store;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Mesh.Gateway;

/// <summary>Checks a Send before anything is stored, and names every bad field.</summary>
public sealed partial class SendValidator(MeshStore store, Render.V1.Render.RenderClient render, IOptions<GatewayOptions> options)
{
    // Headers that Mesh writes itself, or that a relay writes: an integrator cannot set them
    // (From alignment and the DKIM signature depend on them).
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "DKIM-Signature", "Received", "Return-Path",
    };

    /// <summary>
    /// Checks everything; with <paramref name="recipients"/> false the recipients' own addresses are
    /// left to <see cref="RecipientProblem"/> (batch send answers those per recipient).
    /// </summary>
    public async Task ValidateAsync(string tenant, SendRequest request, bool recipients = true)
    {
        var errors = new FieldErrors();
        var o = options.Value;
        await CheckSenderAsync(errors, tenant, request.From);

        if (request.To.Count == 0)
        {
            errors.Add("to", "at least one recipient is required");
        }
        else if (request.To.Count > o.MaxRecipients)
        {
            errors.Add("to", $"at most {o.MaxRecipients} recipients per call");
        }
        else if (recipients)
        {
            for (var i = 0; i < request.To.Count; i++)
            {
                CheckAddress(errors, $"to[{i}].address", request.To[i].Address);
            }
        }

        if (request.ReplyTo is not null)
        {
            CheckAddress(errors, "reply_to", request.ReplyTo);
        }

        if (request.Template is not null)
        {
            if (request.Content is not null)
            {
                errors.Add("content", "give content or template, not both");
            }

            CheckTemplateName(errors, "template.name", request.Template.Name);
        }
        else
        {
            await CheckContentAsync(errors, request.Content, "content");
        }

        CheckHeaders(errors, request.Headers);

        CheckTagsAndMetadata(errors, request);
        if (request.List.Length > 64 || request.List.Any(c => c is '|' || char.IsControl(c)))
        {
            errors.Add("list", "a list name is at most 64 characters, without '|' or control characters");
        }

        if (request.IdempotencyKey.Length > 256)
        {
            errors.Add("idempotency_key", "at most 256 characters");
        }

        if (request.CalculateSize() > o.MaxContentBytes)
        {
            errors.Add("content", $"the request is larger than {o.MaxContentBytes} bytes");
        }

        errors.ThrowIfAny();
        await RequireVerifiedSenderAsync(tenant, request.From.Email);
    }

    /// <summary>
    /// FAILED_PRECONDITION unless the From domain is verified (its DKIM records are in DNS) or the
    /// tenant is in test mode: mail signed with a key nobody can look up fails DKIM and DMARC at the receiver.
    /// Call after the From address itself was checked.
    /// </summary>
    public async Task RequireVerifiedSenderAsync(string tenant, string from)
    {
        var domain = DomainOf(from);
        if (await store.Database.SetContainsAsync(Keys.VerifiedDomains(tenant), domain)
            || await store.Database.HashGetAsync(Keys.Tenant(tenant), TenantFlags.TestMode) == true)
        {
            return;
        }

        throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.FailedPrecondition,
            $"{domain} is not verified: publish the records from Domains.GetDomain, then call Domains.VerifyDomain"));
    }

    /// <summary>Subject, body presence and template syntax (parsed by the render service), under <paramref name="prefix"/>.</summary>
    public async Task CheckContentAsync(FieldErrors errors, Content? content, string prefix)
    {
        if (content is null || string.IsNullOrWhiteSpace(content.Subject))
        {
            errors.Add($"{prefix}.subject", "a subject is required");
        }
        else if (HasLineBreak(content.Subject))
        {
            errors.Add($"{prefix}.subject", "the subject must not contain CR or LF");
        }

        if (content is null || (string.IsNullOrEmpty(content.Html) && string.IsNullOrEmpty(content.Text)))
        {
            errors.Add(prefix, "html or text is required");
        }

        for (var i = 0; i < (content?.Attachments.Count ?? 0); i++)
        {
            var file = content!.Attachments[i];
            if (string.IsNullOrWhiteSpace(file.Filename) || HasLineBreak(file.Filename))
            {
                errors.Add($"{prefix}.attachments[{i}].filename", "a file name without CR or LF is required");
            }

            if (!ContentType.TryParse(file.ContentType, out _))
            {
                errors.Add($"{prefix}.attachments[{i}].content_type", $"'{file.ContentType}' is not a MIME type");
            }

            if (file.ContentId.Any(c => c is '<' or '>' or '"' || char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                errors.Add($"{prefix}.attachments[{i}].content_id", "a content id has no spaces, quotes, '<' or '>'");
            }
        }

        if (content is not null)
        {
            var check = await render.CheckAsync(new Render.V1.CheckRequest { Content = content, FieldPrefix = prefix });
            foreach (var problem in check.Problems)
            {
                errors.Add(problem.Field, problem.Description);
            }
        }
    }

    /// <summary>What is wrong with one recipient's address, or null.</summary>
    public static FieldErrors? RecipientProblem(int index, Recipient recipient)
    {
        var errors = new FieldErrors();
        CheckAddress(errors, $"to[{index}].address", recipient.Address);
        return errors.Any ? errors : null;
    }

    /// <summary>
    /// Under the tenant's strict mode, every variable the templates use must be given: the problems
    /// of each delivery (by its position in <paramref name="fields"/>), none when the tenant is lenient.
    /// </summary>
    public async Task<Dictionary<int, FieldErrors>> VariableProblemsAsync(string tenant, Content content, IReadOnlyList<Schedule.V1.Delivery> deliveries, IReadOnlyList<string> fields)
    {
        var problems = new Dictionary<int, FieldErrors>();
        var strict = await store.Database.HashGetAsync(Keys.Tenant(tenant), "strict");
        if (strict != 1)
        {
            return problems;
        }

        for (var i = 0; i < deliveries.Count; i++)
        {
            deliveries[i].StrictVariables = true;
            var check = await render.CheckAsync(new Render.V1.CheckRequest
            {
                Content = content,
                FieldPrefix = "content",
                Variables = deliveries[i].Variables,
                VariablesField = fields[i],
            });
            foreach (var problem in check.Problems)
            {
                (problems.TryGetValue(i, out var errors) ? errors : problems[i] = new FieldErrors()).Add(problem.Field, problem.Description);
            }
        }

        return problems;
    }

    /// <summary>Header names are RFC 5322 field names and not ones Mesh writes; values have no CR or LF.</summary>
    public static void CheckHeaders(FieldErrors errors, IDictionary<string, string> headers)
    {
        foreach (var (name, value) in headers)
        {
            if (name.Length == 0 || name.Any(c => c is < '!' or > '~' or ':'))
            {
                errors.Add($"headers[{name}]", "a header name is printable ASCII without spaces or ':' (RFC 5322 §3.6.8)");
            }
            else if (ReservedHeaders.Contains(name))
            {
                errors.Add($"headers[{name}]", "this header is set by Mesh and cannot be given");
            }

            if (HasLineBreak(value))
            {
                errors.Add($"headers[{name}]", "a header value must not contain CR or LF");
            }
        }
    }

    private static void CheckTagsAndMetadata(FieldErrors errors, SendRequest request)
    {
        if (request.Tags.Count > 10 || request.Tags.Any(t => t.Length is 0 or > 64 || HasLineBreak(t)))
        {
            errors.Add("tags", "at most 10 tags of 1 to 64 characters, without CR or LF");
        }

        if (request.Metadata.Count > 20 || request.Metadata.Any(m => m.Key.Length is 0 or > 256 || m.Value.Length > 256))
        {
            errors.Add("metadata", "at most 20 entries, keys of 1 to 256 characters, values of at most 256");
        }
    }

    /// <summary>1 to 64 letters, digits, '-' or '_'.</summary>
    public static void CheckTemplateName(FieldErrors errors, string field, string name)
    {
        if (!TemplateNamePattern().IsMatch(name))
        {
            errors.Add(field, "a template name is 1 to 64 letters, digits, '-' or '_'");
        }
    }

    /// <summary>The sender and recipient of a test rendering, with the sender's domain owned by the tenant.</summary>
    public async Task CheckAddressesAsync(FieldErrors errors, string tenant, Address? from, Address? to, Address? replyTo)
    {
        await CheckSenderAsync(errors, tenant, from);
        CheckAddress(errors, "to", to);
        if (replyTo is not null)
        {
            CheckAddress(errors, "reply_to", replyTo);
        }
    }

    private async Task CheckSenderAsync(FieldErrors errors, string tenant, Address? from)
    {
        if (CheckAddress(errors, "from", from))
        {
            var domain = DomainOf(from!.Email);
            if (await store.Database.HashGetAsync(Keys.Domains, domain) != tenant)
            {
                errors.Add("from.email", $"{domain} is not a sending domain of this tenant");
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial System.Text.RegularExpressions.Regex TemplateNamePattern();

    /// <summary>Checks an address field; returns true when its email is usable.</summary>
    private static bool CheckAddress(FieldErrors errors, string field, Address? address)
    {
        if (address is null || string.IsNullOrEmpty(address.Email))
        {
            errors.Add($"{field}.email", "an address is required");
            return false;
        }

        if (HasLineBreak(address.Name))
        {
            errors.Add($"{field}.name", "a display name must not contain CR or LF");
        }

        if (!IsAddrSpec(address.Email))
        {
            errors.Add($"{field}.email", $"'{address.Email}' is not a valid email address");
            return false;
        }

        return true;
    }

    /// <summary>An RFC 5321 mailbox: local@domain, parsed by MimeKit, with no display name or route.</summary>
    private static bool IsAddrSpec(string email)
    {
        if (email.Length > 254 || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or ',' or ';'))
        {
            return false;
        }

        if (!MailboxAddress.TryParse(ParserOptions.Default, email, out var mailbox) || mailbox.Route.Count > 0)
        {
            return false;
        }

        var at = mailbox.Address.LastIndexOf('@');
        if (at <= 0 || at == mailbox.Address.Length - 1 || at > 64)
        {
            return false;
        }

        var domain = mailbox.Address[(at + 1)..];
        return domain.Contains('.') && domain.Split('.').All(label => label.Length is > 0 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-'));
    }

    private static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    public static string DomainOf(string email) => email[(email.LastIndexOf('@') + 1)..].ToLowerInvariant();
}
