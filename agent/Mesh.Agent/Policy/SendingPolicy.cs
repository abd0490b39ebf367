using Mesh.Agent.Journal;
using Mesh.Agent.V1;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Mesh.Agent.Policy;

/// <summary>
/// The customer's local sending policy (ARCHITECTURE.md, The agent link), checked before any SMTP
/// connection: kill switch, sender domain allow-list (MAIL FROM and header From), hourly and daily
/// caps. The ban on private destinations is checked by the delivery engine after MX lookup.
/// </summary>
public sealed class SendingPolicy(IOptionsMonitor<AgentPolicyOptions> options, AgentJournal journal, TimeProvider clock)
{
    public const string StopFileName = "STOP";

    /// <summary>The file whose presence turns the kill switch on.</summary>
    public string KillSwitchFile => string.IsNullOrWhiteSpace(options.CurrentValue.KillSwitchFile)
        ? Path.Combine(journal.Folder, StopFileName)
        : Path.GetFullPath(options.CurrentValue.KillSwitchFile);

    /// <summary>
    /// Null when the job may be delivered (its messages are then counted against the caps), or
    /// why it is refused.
    /// </summary>
    public string? Check(Job job)
    {
        var o = options.CurrentValue;
        if (o.KillSwitch)
        {
            return "local policy: the kill switch is on (Agent:Policy:KillSwitch)";
        }

        if (File.Exists(KillSwitchFile))
        {
            return $"local policy: the kill switch is on (file {KillSwitchFile} exists)";
        }

        var refusal = CheckSenders(job, o);
        if (refusal is not null)
        {
            return refusal;
        }

        var capped = journal.Counters.TryTake(clock.GetUtcNow(), Math.Max(1, job.RcptTo.Count), o.MaxPerHour, o.MaxPerDay);
        return capped is null ? null : "local policy: " + capped;
    }

    private static string? CheckSenders(Job job, AgentPolicyOptions o)
    {
        if (o.AllowAnySenderDomain)
        {
            return null;
        }

        // An empty MAIL FROM (the null sender of RFC 5321 §4.5.5) has no domain to check; the header From still is.
        if (job.MailFrom.Length > 0 && !Allowed(DomainOf(job.MailFrom), o.AllowedSenderDomains))
        {
            return $"local policy: envelope sender domain '{DomainOf(job.MailFrom)}' is not in Agent:Policy:AllowedSenderDomains";
        }

        using var stream = new MemoryStream(job.Mime.ToByteArray(), writable: false);
        HeaderList headers;
        try
        {
            headers = HeaderList.Load(stream);
        }
        catch (FormatException e)
        {
            return $"local policy: the message headers cannot be parsed ({e.Message})";
        }

        var from = headers.Where(h => h.Id == HeaderId.From).ToList();
        if (from.Count != 1)
        {
            // RFC 5322 §3.6: exactly one From. Two would let a second, unchecked one be shown.
            return $"local policy: the message has {from.Count} From headers; exactly one is required";
        }

        if (!InternetAddressList.TryParse(from[0].RawValue, out var addresses) || !addresses.Mailboxes.Any())
        {
            return "local policy: the header From cannot be parsed";
        }

        var refused = addresses.Mailboxes.FirstOrDefault(m => !Allowed(m.Domain, o.AllowedSenderDomains));
        return refused is null ? null : $"local policy: header From domain '{refused.Domain}' is not in Agent:Policy:AllowedSenderDomains";
    }

    private static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];

    private static bool Allowed(string domain, List<string> allowed)
    {
        domain = domain.TrimEnd('.');
        foreach (var entry in allowed)
        {
            if (entry.StartsWith("*.", StringComparison.Ordinal)
                ? domain.EndsWith(entry[1..], StringComparison.OrdinalIgnoreCase)
                : domain.Equals(entry.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
