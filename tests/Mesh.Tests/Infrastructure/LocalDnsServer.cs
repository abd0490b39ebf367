using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A real DNS server (ARSoft.Tools.Net) on 127.0.0.1 serving a fixed zone, so that routing is
/// tested through DnsClient over the wire: a name with no records at all is NXDOMAIN.
/// </summary>
public sealed class LocalDnsServer : IDisposable
{
    private readonly DnsServer _server;
    private readonly List<DnsRecordBase> _records;

    private LocalDnsServer(IPEndPoint endpoint, List<DnsRecordBase> records)
    {
        EndPoint = endpoint;
        _records = records;
        _server = new DnsServer(new UdpServerTransport(endpoint, 5000), new TcpServerTransport(endpoint, 5000, 5000));
        _server.QueryReceived += AnswerAsync;
        _server.Start();
    }

    public IPEndPoint EndPoint { get; }

    public static LocalDnsServer Start(params DnsRecordBase[] records)
    {
        // The UDP port is picked free, but the same TCP port may be taken: try a few ports.
        for (var attempt = 1; ; attempt++)
        {
            using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var endpoint = (IPEndPoint)probe.Client.LocalEndPoint!;
            probe.Close();
            try
            {
                return new LocalDnsServer(endpoint, [.. records]);
            }
            catch (SocketException) when (attempt < 5)
            {
            }
        }
    }

    public static MxRecord Mx(string domain, ushort preference, string exchange) => new(DomainName.Parse(domain), 60, preference, DomainName.Parse(exchange));

    public static ARecord A(string name, string address) => new(DomainName.Parse(name), 60, IPAddress.Parse(address));

    public static TxtRecord Txt(string name, string text) => new(DomainName.Parse(name), 60, text);

    /// <summary>Adds records while the server runs (a customer publishing DNS).</summary>
    public void Publish(params DnsRecordBase[] records)
    {
        lock (_records)
        {
            _records.AddRange(records);
        }
    }

    /// <summary>Removes every record of this type at this name.</summary>
    public void Remove(string name, RecordType type)
    {
        var owner = DomainName.Parse(name);
        lock (_records)
        {
            _records.RemoveAll(r => r.Name.Equals(owner) && r.RecordType == type);
        }
    }

    public void Dispose() => _server.Stop();

    private Task AnswerAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query)
        {
            return Task.CompletedTask;
        }

        var response = query.CreateResponseInstance();
        foreach (var question in query.Questions)
        {
            List<DnsRecordBase> named;
            lock (_records)
            {
                named = [.. _records.Where(r => r.Name.Equals(question.Name))];
            }

            response.AnswerRecords.AddRange(named.Where(r => r.RecordType == question.RecordType));
            response.ReturnCode = named.Count == 0 ? ReturnCode.NxDomain : ReturnCode.NoError;
        }

        e.Response = response;
        return Task.CompletedTask;
    }
}
