using System.Net;
using System.Net.Sockets;
using Mesh.Dispatch.V1;
using Mesh.Gateway.V1;
using Mesh.Store;
using Microsoft.Extensions.Options;
using SignKeyState = Mesh.Sign.V1.KeyState;

namespace Mesh.Gateway;

/// <summary>
/// The DNS records a tenant publishes for a sending domain: DKIM for every published selector, SPF
/// for the IPs mail leaves from, a DMARC record to start from, and the return-path subdomain
/// (an MX at the provider's bounce host and its own SPF, as SES's custom MAIL FROM domain).
/// </summary>
public sealed class DomainRecords(MeshStore store, IOptions<GatewayOptions> options)
{
    public async Task<List<DnsRecord>> ExpectedAsync(string tenant, string domain, Sign.V1.DomainKeys keys)
    {
        var o = options.Value;
        var records = new List<DnsRecord>();
        foreach (var key in keys.Keys.Where(k => k.State != SignKeyState.Revoked))
        {
            var state = key.State switch
            {
                SignKeyState.Active => KeyState.Active,
                SignKeyState.Pending => KeyState.Pending,
                _ => KeyState.Previous,
            };
            records.Add(new DnsRecord
            {
                Purpose = RecordPurpose.Dkim,
                Type = "TXT",
                Name = $"{key.Selector}._domainkey.{domain}",
                Value = key.DnsTxt,
                Selector = key.Selector,
                KeyState = state,
                // Only the signing keys decide whether the domain verifies; a pending key is looked for to activate it.
                Required = state == KeyState.Active,
                Note = state switch
                {
                    KeyState.Pending => "publish now: this key starts signing once VerifyDomain sees it",
                    KeyState.Previous => "replaced: keep it published until it is retired (messages signed with it may still be in flight)",
                    _ => string.Empty,
                },
            });
        }

        var (spf, spfNote) = await SpfAsync(tenant);
        records.Add(new DnsRecord { Purpose = RecordPurpose.Spf, Type = "TXT", Name = domain, Value = spf, Note = spfNote });
        var rua = string.IsNullOrEmpty(o.DmarcReportAddress) ? $"dmarc-reports@{domain}" : o.DmarcReportAddress;
        records.Add(new DnsRecord
        {
            Purpose = RecordPurpose.Dmarc,
            Type = "TXT",
            Name = $"_dmarc.{domain}",
            // RFC 7489: start by monitoring (p=none) with aggregate reports; tighten to quarantine/reject later.
            Value = $"v=DMARC1; p=none; rua=mailto:{rua}",
            Note = "a starting point: any DMARC record at this name matches; move to p=quarantine, then p=reject, once reports are clean",
        });
        if (!string.IsNullOrEmpty(o.ReturnPathHost))
        {
            var bounces = $"{o.ReturnPathLabel}.{domain}";
            records.Add(new DnsRecord { Purpose = RecordPurpose.ReturnPathMx, Type = "MX", Name = bounces, Value = o.ReturnPathHost.TrimEnd('.'), Priority = 10 });
            records.Add(new DnsRecord { Purpose = RecordPurpose.ReturnPathSpf, Type = "TXT", Name = bounces, Value = spf, Note = spfNote });
        }

        return records;
    }

    /// <summary>RFC 7208: the agents' source IPs, and provider egress when the tenant uses it; ~all while DMARC is at p=none.</summary>
    private async Task<(string Value, string Note)> SpfAsync(string tenant)
    {
        var addresses = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in await store.Database.HashValuesAsync(Keys.Agents(tenant)))
        {
            addresses.UnionWith(AgentInfo.Parser.ParseFrom((byte[])entry!).SourceAddresses);
        }

        var agents = addresses.Count;
        if (await store.Database.HashGetAsync(Keys.Tenant(tenant), TenantFlags.ProviderDelivery) == true)
        {
            addresses.UnionWith(options.Value.ProviderEgressAddresses);
        }

        var mechanisms = addresses
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Select(ip => (ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6:" : "ip4:") + ip)
            .Distinct();
        var note = agents == 0 ? "no agent of this tenant is connected yet, so no agent IP is listed: start an agent, then GetDomain again" : string.Empty;
        return (string.Join(' ', ["v=spf1", .. mechanisms, "~all"]), note);
    }
}

/// <summary>Fields of the tenant hash (Keys.Tenant) that gate sending.</summary>
public static class TenantFlags
{
    public const string TestMode = "test_mode";
    public const string ProviderDelivery = "provider_delivery";
}
