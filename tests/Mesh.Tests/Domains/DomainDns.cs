using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Domains;

/// <summary>Helpers for the domain scenarios: a stack whose gateway resolves through a LocalDnsServer, and publishing records there.</summary>
public static class DomainDns
{
    public const string ReturnPathHost = "feedback.mesh.test";
    public const string ProviderEgress = "127.0.0.3";

    /// <summary>A stack whose VerifyDomain asks <paramref name="dns"/>; previous keys retire at once after a switch.</summary>
    public static Task<MeshStack> StartStackAsync(LocalDnsServer dns, StoreKind store = StoreKind.Redis) =>
        MeshStack.StartAsync(store, new Dictionary<string, string?>
        {
            ["Mesh:Gateway:NameServers:0"] = dns.EndPoint.ToString(),
            ["Mesh:Gateway:ReturnPathHost"] = ReturnPathHost,
            ["Mesh:Gateway:ProviderEgressAddresses:0"] = ProviderEgress,
            ["Mesh:Sign:RetireAfter"] = "00:00:00",
        });

    /// <summary>Publishes the records as the customer would (TXT split into 255-byte strings, RFC 7208 §3.3).</summary>
    public static void Publish(LocalDnsServer dns, IEnumerable<DnsRecord> records)
    {
        foreach (var record in records)
        {
            dns.Publish(record.Type == "MX"
                ? new MxRecord(DomainName.Parse(record.Name), 60, (ushort)record.Priority, DomainName.Parse(record.Value))
                : new TxtRecord(DomainName.Parse(record.Name), 60, Chunks(record.Value)));
        }
    }

    /// <summary>Publishes one TXT record with a value of the test's choosing.</summary>
    public static void PublishTxt(LocalDnsServer dns, string name, string value) =>
        dns.Publish(new TxtRecord(DomainName.Parse(name), 60, Chunks(value)));

    /// <summary>The DKIM records (selector → TXT) in a domain answer.</summary>
    public static Dictionary<string, string> Dkim(Gateway.V1.Domain domain) =>
        domain.Records.Where(r => r.Purpose == RecordPurpose.Dkim).ToDictionary(r => r.Selector, r => r.Value);

    /// <summary>The tenant's domain and key events, oldest first, up to the first of type <paramref name="last"/>.</summary>
    public static async Task<List<Event>> DomainEventsUntilAsync(TestTenant tenant, EventType last)
    {
        await using var watcher = new EventWatcher(tenant);
        var end = await watcher.WaitForAsync(e => e.Type == last).DefaultTimeout();
        return [.. watcher.Seen.Where(e => e.Domain.Length > 0 && e.Cursor <= end.Cursor)];
    }

    private static string[] Chunks(string value) =>
        [.. Enumerable.Range(0, (value.Length + 254) / 255).Select(i => value.Substring(i * 255, Math.Min(255, value.Length - (i * 255))))];

    public static IPAddress AgentSource { get; } = IPAddress.Parse("127.0.0.2");
}
