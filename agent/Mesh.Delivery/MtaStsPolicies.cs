using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using DnsClient;
using Microsoft.Extensions.Logging;

namespace Mesh.Delivery;

/// <summary>
/// MTA-STS (RFC 8461): the `_mta-sts` TXT record says a policy exists and its id; the policy is
/// fetched over HTTPS from mta-sts.&lt;domain&gt; (valid certificate, no redirects) and cached for its
/// max_age, refetched when the id changes, and kept when a refresh fails while it is unexpired.
/// </summary>
internal sealed partial class MtaStsPolicies : IDisposable
{
    private readonly MtaStsOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly LookupClient _dns;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, (string Id, MtaStsPolicy Policy, DateTimeOffset Until)> _cache = new(StringComparer.OrdinalIgnoreCase);

    public MtaStsPolicies(DeliveryOptions options, TimeProvider clock, ILogger logger)
    {
        _options = options.MtaSts;
        _clock = clock;
        _logger = logger;
        _dns = DnsMailRouter.CreateLookupClient(options);
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // RFC 8461 §3.3: redirects must not be followed.
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors) },
        })
        {
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    /// <summary>The domain's policy, or null when it has none (or MTA-STS is off).</summary>
    public async Task<MtaStsPolicy?> GetAsync(string domain, CancellationToken ct)
    {
        if (!_options.Enabled)
        {
            return null;
        }

        var now = _clock.GetUtcNow();
        var cached = _cache.TryGetValue(domain, out var entry) && entry.Until > now ? entry : default;
        var id = await PolicyIdAsync(domain, ct);
        if (id is null || (cached.Policy is not null && cached.Id == id))
        {
            return cached.Policy;
        }

        try
        {
            using var response = await _http.GetAsync($"https://mta-sts.{domain}/.well-known/mta-sts.txt", ct);
            var policy = response.IsSuccessStatusCode ? MtaStsPolicy.Parse(await response.Content.ReadAsStringAsync(ct)) : null;
            if (policy is null)
            {
                Log.PolicyUnusable(_logger, domain, (int)response.StatusCode);
                return cached.Policy;
            }

            var until = now + (policy.MaxAge < _options.MaxCache ? policy.MaxAge : _options.MaxCache);
            _cache[domain] = (id, policy, until);
            return policy;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Log.FetchFailed(_logger, domain, e.Message);
            return cached.Policy;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<string?> PolicyIdAsync(string domain, CancellationToken ct)
    {
        var response = await _dns.QueryAsync("_mta-sts." + domain, QueryType.TXT, cancellationToken: ct);
        var records = response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).Where(t => t.StartsWith("v=STSv1", StringComparison.Ordinal)).ToList();
        if (records.Count != 1)
        {
            return null; // RFC 8461 §3.1: none, or more than one, means no policy.
        }

        return records[0].Split(';').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("id=", StringComparison.Ordinal))?[3..];
    }

    /// <summary>Resolves the policy host with the same resolver as MX lookups, on the policy port.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var entry = await _dns.GetHostEntryAsync(context.DnsEndPoint.Host);
        var address = entry?.AddressList.FirstOrDefault() ?? throw new HttpRequestException($"cannot resolve {context.DnsEndPoint.Host}");
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, _options.PolicyPort), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool Trusted(System.Security.Cryptography.X509Certificates.X509Certificate? certificate, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None
        || (certificate is not null && _options.PolicyCertificateThumbprints.Contains(certificate.GetCertHashString(HashAlgorithmName.SHA256), StringComparer.OrdinalIgnoreCase));

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "MTA-STS policy of {Domain} unusable (HTTP {Status}); keeping any cached policy")]
        public static partial void PolicyUnusable(ILogger logger, string domain, int status);

        [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "MTA-STS policy of {Domain} could not be fetched: {Reason}")]
        public static partial void FetchFailed(ILogger logger, string domain, string reason);
    }
}
