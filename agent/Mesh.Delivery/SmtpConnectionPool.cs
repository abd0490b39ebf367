using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace Mesh.Delivery;

/// <summary>
/// Opens SMTP connections from the configured source address with Nagle off (MailKit's default
/// connect leaves it on, which costs ~40 ms per message, ARCHITECTURE.md) and keeps idle
/// ones per destination for reuse.
/// </summary>
internal sealed class SmtpConnectionPool(IOptions<DeliveryOptions> options, TimeProvider clock) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<PooledConnection>> _idle = new();

    /// <summary>An idle connection to the destination, if one is still fresh.</summary>
    public PooledConnection? TakeIdle(MailHost host, IPAddress address)
    {
        if (!_idle.TryGetValue(Key(host, address), out var queue))
        {
            return null;
        }

        while (queue.TryDequeue(out var connection))
        {
            if (connection.Client.IsConnected && clock.GetUtcNow() - connection.LastUsed < options.Value.IdleTimeout)
            {
                return connection;
            }

            connection.Client.Dispose();
        }

        return null;
    }

    public async Task<PooledConnection> ConnectAsync(MailHost host, IPAddress address, bool requireTls, bool validateCertificate, CancellationToken ct)
    {
        var o = options.Value;
        var smarthost = o.Smarthost.Enabled ? o.Smarthost : null;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new TrackingSmtpClient
        {
            LocalDomain = o.EhloName,
            Timeout = (int)o.CommandTimeout.TotalMilliseconds,
            // Opportunistic TLS (RFC 7435): encrypt whatever the certificate. A smarthost carries
            // credentials, so its certificate is checked (pinned, or by the system's trust).
            // Under MTA-STS enforce the MX certificate must be valid for the MX name (RFC 8461 §4.2).
            ServerCertificateValidationCallback = smarthost is not null
                ? (_, certificate, _, errors) => SmarthostCertificateIsTrusted(smarthost, certificate, errors)
                : validateCertificate ? (_, _, _, errors) => errors == System.Net.Security.SslPolicyErrors.None : (_, _, _, _) => true,
            CheckCertificateRevocation = false,
        };
        try
        {
            if (!string.IsNullOrEmpty(o.SourceAddress))
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(o.SourceAddress), 0));
            }

            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                connectTimeout.CancelAfter(o.ConnectTimeout);
                await socket.ConnectAsync(address, host.Port, connectTimeout.Token);
            }

            var source = ((IPEndPoint)socket.LocalEndPoint!).Address.ToString();
            // STARTTLS whenever offered; under a required-TLS policy, MailKit refuses a server that does not offer it.
            await client.ConnectAsync(socket, host.Host, host.Port, requireTls || smarthost is not null ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable, ct);
            if (smarthost is { Username.Length: > 0 })
            {
                await client.AuthenticateAsync(smarthost.Username, smarthost.Password ?? string.Empty, ct);
            }

            return new PooledConnection(client, key: Key(host, address), source, clock.GetUtcNow()) { Validated = validateCertificate || smarthost is not null };
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static bool SmarthostCertificateIsTrusted(SmarthostOptions smarthost, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Net.Security.SslPolicyErrors errors)
    {
        if (string.IsNullOrEmpty(smarthost.ServerCertificateThumbprint))
        {
            return errors == System.Net.Security.SslPolicyErrors.None;
        }

        return certificate is not null && string.Equals(
            certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256),
            smarthost.ServerCertificateThumbprint.Replace(":", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    public void Return(PooledConnection connection)
    {
        connection.LastUsed = clock.GetUtcNow();
        var queue = _idle.GetOrAdd(connection.Key, _ => new());
        if (connection.Client.IsConnected && queue.Count < options.Value.MaxIdlePerDestination)
        {
            queue.Enqueue(connection);
            return;
        }

        connection.Client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _idle.Values)
        {
            while (queue.TryDequeue(out var connection))
            {
                await CloseAsync(connection);
            }
        }
    }

    /// <summary>Says QUIT when it can; a connection that fails to close has nothing left to lose.</summary>
    public static async Task CloseAsync(PooledConnection connection)
    {
        try
        {
            if (connection.Client.IsConnected)
            {
                await connection.Client.DisconnectAsync(true);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
        {
        }
        finally
        {
            connection.Client.Dispose();
        }
    }

    public static string Key(MailHost host, IPAddress address) => $"{host.Host}|{address}|{host.Port}";
}

/// <summary>A connected client and what is known about it.</summary>
internal sealed class PooledConnection(TrackingSmtpClient client, string key, string sourceIp, DateTimeOffset lastUsed)
{
    public TrackingSmtpClient Client { get; } = client;

    public string Key { get; } = key;

    public string SourceIp { get; } = sourceIp;

    public DateTimeOffset LastUsed { get; set; } = lastUsed;

    /// <summary>The server's certificate was validated (not only encrypted to).</summary>
    public bool Validated { get; init; }
}
