using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Mesh.Gateway.V1;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway;

/// <summary>
/// Looks the records of a domain up with DnsClient through the configured resolvers
/// (Mesh:Gateway:NameServers), without a cache, and compares each with what is expected.
/// </summary>
public sealed class DnsRecordChecker
{
    private readonly LookupClient _dns;

    public DnsRecordChecker(IOptions<GatewayOptions> options)
    {
        var servers = options.Value.NameServers.Select(ParseNameServer).ToArray();
        var lookup = servers.Length == 0 ? new LookupClientOptions() : new LookupClientOptions(servers);
        // A customer who just published a record expects the next verify to see it.
        lookup.UseCache = false;
        lookup.Timeout = options.Value.DnsTimeout;
        lookup.Retries = 1;
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = false;
        _dns = new LookupClient(lookup);
    }

    public async Task<RecordCheck> CheckAsync(DnsRecord expected, CancellationToken ct)
    {
        var check = new RecordCheck { Expected = expected };
        IDnsQueryResponse response;
        try
        {
            response = await _dns.QueryAsync(expected.Name, expected.Type == "MX" ? QueryType.MX : QueryType.TXT, cancellationToken: ct);
        }
        catch (DnsResponseException e)
        {
            return Failed(check, e.Message);
        }

        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            return Failed(check, response.ErrorMessage);
        }

        if (expected.Type == "MX")
        {
            var mx = response.Answers.MxRecords().ToList();
            check.Found.Add(mx.Select(m => $"{m.Preference} {m.Exchange.Value.TrimEnd('.')}"));
            var host = expected.Value.TrimEnd('.');
            return Judge(check, mx.Count > 0, mx.Any(m => string.Equals(m.Exchange.Value.TrimEnd('.'), host, StringComparison.OrdinalIgnoreCase)),
                $"no MX points at {host}");
        }

        var texts = response.Answers.TxtRecords().Select(t => string.Concat(t.Text)).ToList();
        return expected.Purpose switch
        {
            RecordPurpose.Dkim => CheckDkim(check, texts),
            RecordPurpose.Dmarc => CheckPrefix(check, texts, "v=DMARC1", (_, _) => null),
            _ => CheckPrefix(check, texts, "v=spf1", MissingSpfTerms),
        };
    }

    /// <summary>DKIM matches when a TXT has the same k= and p= (RFC 6376 §3.6.1; whitespace and tag order do not matter).</summary>
    private static RecordCheck CheckDkim(RecordCheck check, List<string> texts)
    {
        check.Found.Add(texts);
        var want = DkimRecordTags.Parse(check.Expected.Value);
        var any = texts.Count > 0;
        var match = texts.Select(DkimRecordTags.Parse).Any(t => t.Key == want.Key && t.PublicKey == want.PublicKey);
        return Judge(check, any, match, "the TXT record holds another key (k= or p= differs)");
    }

    /// <summary>
    /// SPF and DMARC: exactly one record of that version at the name (RFC 7208 §4.5, RFC 7489 §6.6.3).
    /// SPF must contain each expected ip4:/ip6: term; other terms (include:, a, mx) are the customer's.
    /// </summary>
    private static RecordCheck CheckPrefix(RecordCheck check, List<string> texts, string version, Func<string, string, string?> problem)
    {
        var records = texts.Where(t => t.StartsWith(version, StringComparison.OrdinalIgnoreCase)).ToList();
        check.Found.Add(records);
        if (records.Count > 1)
        {
            return Judge(check, true, false, $"{records.Count} {version} records: receivers treat more than one as an error");
        }

        var issue = records.Count == 1 ? problem(check.Expected.Value, records[0]) : null;
        return Judge(check, records.Count == 1, issue is null, issue ?? string.Empty);
    }

    private static string? MissingSpfTerms(string expected, string found)
    {
        var terms = found.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(t => t.StartsWith("ip4:", StringComparison.Ordinal) || t.StartsWith("ip6:", StringComparison.Ordinal))
            .Where(t => !terms.Contains(t))
            .ToList();
        return missing.Count == 0 ? null : "not authorised: " + string.Join(' ', missing);
    }

    private static RecordCheck Judge(RecordCheck check, bool found, bool match, string mismatch)
    {
        check.Result = !found ? CheckResult.Missing : match ? CheckResult.Match : CheckResult.Mismatch;
        check.Detail = check.Result switch
        {
            CheckResult.Missing => $"no {check.Expected.Type} record at {check.Expected.Name}",
            CheckResult.Mismatch => mismatch,
            _ => string.Empty,
        };
        return check;
    }

    private static RecordCheck Failed(RecordCheck check, string reason)
    {
        check.Result = CheckResult.LookupFailed;
        check.Detail = reason;
        return check;
    }

    private static NameServer ParseNameServer(string value) =>
        IPEndPoint.TryParse(value, out var endpoint)
            ? new NameServer(endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint)
            : throw new FormatException($"Mesh:Gateway:NameServers: '{value}' is not ip or ip:port");
}

/// <summary>The k= and p= tags of a DKIM key record (k defaults to rsa, RFC 6376 §3.6.1).</summary>
internal readonly record struct DkimRecordTags(string Key, string PublicKey)
{
    public static DkimRecordTags Parse(string record)
    {
        var tags = record.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Concat(g.First()[1].Where(c => !char.IsWhiteSpace(c))), StringComparer.OrdinalIgnoreCase);
        return new(tags.GetValueOrDefault("k", "rsa").ToLowerInvariant(), tags.GetValueOrDefault("p", string.Empty));
    }
}
