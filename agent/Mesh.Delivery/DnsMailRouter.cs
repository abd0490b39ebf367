using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;

namespace Mesh.Delivery;

/// <summary>
/// MX routing with DnsClient: static routes first, then MX records in preference order,
/// the RFC 5321 §5.1 fallback to the domain's own A/AAAA, and RFC 7505 null MX.
/// </summary>
public sealed class DnsMailRouter : IMailRouter
{
    private readonly DeliveryOptions _options;
    private readonly LookupClient _dns;

    public DnsMailRouter(IOptions<DeliveryOptions> options)
    {
        _options = options.Value;
        _dns = CreateLookupClient(_options);
    }

    public async Task<RouteResult> RouteAsync(string domain, CancellationToken ct)
    {
        if (_options.StaticRoutes.TryGetValue(domain, out var route))
        {
            return new RouteResult.Hosts([ParseHostPort(route, _options.SmtpPort)]);
        }

        IDnsQueryResponse response;
        try
        {
            response = await _dns.QueryAsync(domain, QueryType.MX, cancellationToken: ct);
        }
        catch (DnsResponseException e)
        {
            return new RouteResult.TryLater($"MX lookup for {domain} failed: {e.Message}");
        }

        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
        {
            return new RouteResult.NoMail($"domain {domain} does not exist", "5.1.2");
        }

        if (response.HasError)
        {
            return new RouteResult.TryLater($"MX lookup for {domain} failed: {response.ErrorMessage}");
        }

        var mx = response.Answers.MxRecords().OrderBy(r => r.Preference).ToList();
        if (mx.Count == 1 && mx[0].Exchange.Value is "." or "")
        {
            return new RouteResult.NoMail($"{domain} publishes a null MX and accepts no mail (RFC 7505)", "5.1.10");
        }

        if (mx.Count == 0)
        {
            // RFC 5321 §5.1: no MX, so the domain itself is the implicit MX.
            return new RouteResult.Hosts([new MailHost(domain, _options.SmtpPort)]);
        }

        return new RouteResult.Hosts(mx.Select(r => new MailHost(r.Exchange.Value.TrimEnd('.'), _options.SmtpPort)).ToList());
    }

    public async Task<IReadOnlyList<IPAddress>> AddressesAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        var entry = await _dns.GetHostEntryAsync(host);
        return entry?.AddressList ?? [];
    }

    private static MailHost ParseHostPort(string value, int defaultPort)
    {
        // "host:port", "[v6-literal]:port" (as IPEndPoint prints it), or a bare host or v6 literal.
        var colon = value.LastIndexOf(':');
        var bracketed = value.StartsWith('[');
        var hasPort = colon > 0 && (bracketed ? value[colon - 1] == ']' : value.IndexOf(':') == colon) && int.TryParse(value[(colon + 1)..], out _);
        var host = (hasPort ? value[..colon] : value).Trim('[', ']');
        return new MailHost(host, hasPort ? int.Parse(value[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture) : defaultPort);
    }

    /// <summary>A DnsClient resolver on the configured name servers (or the system's).</summary>
    public static LookupClient CreateLookupClient(DeliveryOptions options)
    {
        var servers = options.NameServers.Select(ParseNameServer).ToArray();
        var lookup = servers.Length == 0 ? new LookupClientOptions() : new LookupClientOptions(servers);
        lookup.UseCache = true;
        lookup.ContinueOnDnsError = false;
        return new LookupClient(lookup);
    }

    private static NameServer ParseNameServer(string value) =>
        IPEndPoint.TryParse(value, out var endpoint)
            ? new NameServer(endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint)
            : throw new FormatException($"name server '{value}' is not ip or ip:port");
}
