using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Mesh.Events.V1;
using Mesh.Schedule.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Mesh.Delivery;

/// <summary>
/// The delivery engine: routes each recipient domain, checks the destination policy before any
/// connection, sends with MailKit and classifies the outcome once, per recipient.
/// </summary>
public sealed partial class SmtpDeliverer : IAsyncDisposable
{
    private readonly IMailRouter _router;
    private readonly DeliveryOptions _options;
    private readonly SmtpConnectionPool _pool;
    private readonly DestinationSlots _slots;
    private readonly SiteShaper _shaper;
    private readonly MtaStsPolicies _mtaSts;
    private readonly ILogger<SmtpDeliverer> _logger;

    public SmtpDeliverer(IMailRouter router, IOptions<DeliveryOptions> options, TimeProvider clock, ILogger<SmtpDeliverer> logger)
    {
        _router = router;
        _options = options.Value;
        _pool = new SmtpConnectionPool(options, clock);
        _slots = new DestinationSlots(options.Value.MaxConnectionsPerDestination);
        _shaper = new SiteShaper(options.Value.Shaping, clock);
        _mtaSts = new MtaStsPolicies(options.Value, clock, logger);
        _logger = logger;
    }

    public async Task<IReadOnlyList<RecipientOutcome>> DeliverAsync(DeliveryRequest request, CancellationToken ct)
    {
        if (_options.RequireTls && !request.RequireTls)
        {
            request = request with { RequireTls = true };
        }

        var results = new List<RecipientOutcome>(request.Recipients.Count);
        foreach (var domain in request.Recipients.GroupBy(r => r[(r.LastIndexOf('@') + 1)..], StringComparer.OrdinalIgnoreCase))
        {
            results.AddRange(await DeliverToDomainAsync(domain.Key, domain.ToList(), request, ct));
        }

        return results;
    }

    /// <summary>Applies the provider's shaping rules (they only tighten the local limits).</summary>
    public void ApplyShapingRules(IEnumerable<Mesh.Agent.V1.ShapingRule> rules) => _shaper.ApplyRules(rules);

    public ValueTask DisposeAsync()
    {
        _mtaSts.Dispose();
        return _pool.DisposeAsync();
    }

    private async Task<IEnumerable<RecipientOutcome>> DeliverToDomainAsync(string domain, List<string> recipients, DeliveryRequest request, CancellationToken ct)
    {
        if (_options.Smarthost.Enabled)
        {
            // The customer's own relay, chosen by local configuration: exempt from the destination policy.
            var relay = new MailHost(_options.Smarthost.Host!, _options.Smarthost.Port);
            return await DeliverToHostsAsync(domain, [relay], recipients, request with { RequireTls = true }, ct);
        }

        var route = await _router.RouteAsync(domain, ct);
        switch (route)
        {
            case RouteResult.NoMail noMail:
                return SmtpOutcomes.All(recipients, Outcome.Bounced, new DeliveryDetails { SmtpCode = 550, EnhancedCode = noMail.EnhancedCode, Reply = noMail.Reason });
            case RouteResult.TryLater later:
                return SmtpOutcomes.All(recipients, Outcome.Deferred, new DeliveryDetails { Reply = later.Reason });
        }

        var hosts = ((RouteResult.Hosts)route).List;
        var policy = _options.StaticRoutes.ContainsKey(domain) ? null : await _mtaSts.GetAsync(domain, ct);
        if (policy is { Enforce: true })
        {
            // RFC 8461 §5: only MXes the policy names, over validated TLS; otherwise wait, never plaintext.
            hosts = hosts.Where(h => policy.Allows(h.Host)).ToList();
            if (hosts.Count == 0)
            {
                return SmtpOutcomes.All(recipients, Outcome.Deferred, new DeliveryDetails { Reply = $"MTA-STS enforce: no MX of {domain} matches its policy" });
            }

            request = request with { RequireTls = true, ValidateCertificate = true };
        }

        var site = SiteShaper.SiteOf(hosts);
        IEnumerable<RecipientOutcome> results;
        using (await _shaper.EnterAsync(site, ct))
        {
            results = await DeliverToHostsAsync(domain, hosts, recipients, request, ct);
        }

        foreach (var result in results.DistinctBy(r => (r.Details.SmtpCode, r.Details.Reply)))
        {
            if (_shaper.Observe(site, result.Details.SmtpCode, result.Details.Reply))
            {
                Log.SiteSuspended(_logger, site, result.Details.SmtpCode, result.Details.Reply);
            }
        }

        return results;
    }

    private async Task<IEnumerable<RecipientOutcome>> DeliverToHostsAsync(string domain, IReadOnlyList<MailHost> hosts, List<string> recipients, DeliveryRequest request, CancellationToken ct)
    {
        var failure = new DeliveryDetails { Reply = $"no mail host of {domain} could be reached" };
        foreach (var host in hosts)
        {
            IReadOnlyList<IPAddress> addresses;
            try
            {
                addresses = await _router.AddressesAsync(host.Host, ct);
            }
            catch (SocketException e)
            {
                failure = new DeliveryDetails { RemoteMx = host.Host, Reply = $"cannot resolve {host.Host}: {e.Message}" };
                continue;
            }

            var refused = _options.AllowPrivateDestinations || _options.Smarthost.Enabled ? null : addresses.FirstOrDefault(DestinationPolicy.IsPrivate);
            if (refused is not null)
            {
                return SmtpOutcomes.All(recipients, Outcome.RejectedByAgentPolicy, new DeliveryDetails
                {
                    RemoteMx = host.Host,
                    RemoteIp = refused.ToString(),
                    Reply = $"local policy: {host.Host} resolves to {refused}, a private, loopback or link-local address",
                });
            }

            foreach (var address in addresses)
            {
                var (results, problem) = await DeliverViaAsync(host, address, recipients, request, ct);
                if (results is not null)
                {
                    return results;
                }

                failure = problem!;
            }
        }

        return SmtpOutcomes.All(recipients, Outcome.Deferred, failure);
    }

    /// <summary>
    /// One transaction through one address of one MX, within the per-destination connection limit.
    /// Returns the results, or the reason to try the next address.
    /// </summary>
    private async Task<(IEnumerable<RecipientOutcome>? Results, DeliveryDetails? Failure)> DeliverViaAsync(
        MailHost host, IPAddress address, List<string> recipients, DeliveryRequest request, CancellationToken ct)
    {
        using var slot = await _slots.AcquireAsync(SmtpConnectionPool.Key(host, address), ct);
        var connection = _pool.TakeIdle(host, address);
        if (connection is not null && ((request.RequireTls && !connection.Client.IsSecure) || (request.ValidateCertificate && !connection.Validated)))
        {
            // An idle plaintext (or unvalidated) connection cannot carry a TLS-required (or MTA-STS) job.
            await SmtpConnectionPool.CloseAsync(connection);
            connection = null;
        }

        var reused = connection is not null;
        var connecting = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            connection ??= await _pool.ConnectAsync(host, address, request.RequireTls, request.ValidateCertificate, ct);
        }
        catch (NotSupportedException) when (request.RequireTls)
        {
            // Required TLS and no STARTTLS: a deferral, never plaintext (the next MX may offer it).
            return (null, new DeliveryDetails
            {
                RemoteMx = host.Host,
                RemoteIp = address.ToString(),
                Reply = $"TLS is required by policy but {host.Host} [{address}] does not offer STARTTLS",
            });
        }
        catch (SslHandshakeException e) when (request.ValidateCertificate)
        {
            return (null, new DeliveryDetails
            {
                RemoteMx = host.Host,
                RemoteIp = address.ToString(),
                Reply = $"MTA-STS enforce: the certificate of {host.Host} is not valid for it ({e.Message}); not sent",
            });
        }
        catch (Exception e) when (SmtpOutcomes.IsConnectionFailure(e, ct) || e is SmtpCommandException)
        {
            // A refused greeting or EHLO counts as a failed connection too.
            // Try the next address, then the next MX (RFC 5321 §5.1).
            Log.ConnectFailed(_logger, host.Host, address.ToString(), e.Message);
            return (null, SmtpOutcomes.ConnectionFailure(host, address, e));
        }

        var connectMs = reused ? 0u : (uint)System.Diagnostics.Stopwatch.GetElapsedTime(connecting).TotalMilliseconds;
        var results = await SendAsync(connection, host, address, recipients, request, connectMs, ct);
        if (results is null && reused)
        {
            // A reused connection the server had closed: one more try on a fresh one.
            connecting = System.Diagnostics.Stopwatch.GetTimestamp();
            var fresh = await _pool.ConnectAsync(host, address, request.RequireTls, request.ValidateCertificate, ct);
            results = await SendAsync(fresh, host, address, recipients, request, (uint)System.Diagnostics.Stopwatch.GetElapsedTime(connecting).TotalMilliseconds, ct);
        }

        return (results ?? SmtpOutcomes.All(recipients, Outcome.Deferred, new DeliveryDetails { RemoteMx = host.Host, RemoteIp = address.ToString(), Reply = "connection lost before DATA" }), null);
    }

    /// <summary>Sends one transaction. Returns null when the connection failed before anything was sent.</summary>
    private async Task<IEnumerable<RecipientOutcome>?> SendAsync(PooledConnection connection, MailHost host, IPAddress address, List<string> recipients, DeliveryRequest request, uint connectMs, CancellationToken ct)
    {
        var client = connection.Client;
        if (request.Smtputf8 && !client.Capabilities.HasFlag(SmtpCapabilities.UTF8))
        {
            // RFC 6531 §3.4: without SMTPUTF8 the address cannot be carried; Postfix bounces with 5.6.7.
            _pool.Return(connection);
            return SmtpOutcomes.All(recipients, Outcome.Bounced, new DeliveryDetails
            {
                RemoteMx = host.Host,
                RemoteIp = address.ToString(),
                SourceIp = connection.SourceIp,
                SmtpCode = 553,
                EnhancedCode = "5.6.7",
                Reply = $"an address needs SMTPUTF8, which {host.Host} does not offer",
            });
        }

        client.Refused.Clear();
        client.Timeout = (int)_options.CommandTimeout.TotalMilliseconds;
        var progress = new DataProgress(client, _options);
        var details = new DeliveryDetails
        {
            RemoteMx = host.Host,
            RemoteIp = address.ToString(),
            SourceIp = connection.SourceIp,
            TlsProtocol = client.IsSecure ? client.SslProtocol.ToString() : string.Empty,
            TlsCipher = client.IsSecure ? client.SslCipherSuite?.ToString() ?? string.Empty : string.Empty,
            ConnectMs = connectMs,
        };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        using var stream = new MemoryStream(request.Mime, writable: false);
        var message = await MimeMessage.LoadAsync(stream, ct);
        try
        {
            var reply = await client.SendAsync(FormatOptions.Default, message, MailboxAddress.Parse(request.MailFrom),
                recipients.Select(MailboxAddress.Parse), ct, progress);
            details.TransactionMs = SmtpOutcomes.Elapsed(started);
            _pool.Return(connection);
            return recipients.Select(r => client.Refused.TryGetValue(r, out var refused)
                ? SmtpOutcomes.FromReply(r, (int)refused.StatusCode, refused.Response, details)
                : SmtpOutcomes.FromReply(r, 250, reply, details)).ToList();
        }
        catch (SmtpCommandException e)
        {
            // The server refused a command; the connection is still usable.
            details.TransactionMs = SmtpOutcomes.Elapsed(started);
            _pool.Return(connection);
            return recipients.Select(r => client.Refused.TryGetValue(r, out var refused)
                ? SmtpOutcomes.FromReply(r, (int)refused.StatusCode, refused.Response, details)
                : SmtpOutcomes.FromReply(r, (int)e.StatusCode, e.Message, details)).ToList();
        }
        catch (Exception e) when (SmtpOutcomes.IsConnectionFailure(e, ct))
        {
            details.TransactionMs = SmtpOutcomes.Elapsed(started);
            await SmtpConnectionPool.CloseAsync(connection);
            if (!progress.Started && client.Refused.Count == 0 && e is not TimeoutException)
            {
                return null;
            }

            // RFC 5321 §4.5.3.2 / issue: a reply lost after the end of DATA may mean delivered.
            var outcome = progress.Complete ? Outcome.PossiblyDelivered : Outcome.Deferred;
            details.Reply = progress.Complete ? $"reply to the end of DATA lost: {e.Message}" : $"connection failed: {e.Message}";
            return SmtpOutcomes.All(recipients, outcome, details);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Cannot connect to {Host} [{Address}]: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string host, string address, string reason);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Site {Site} suspended after {Code} {Reply}; its jobs wait")]
        public static partial void SiteSuspended(ILogger logger, string site, uint code, string reply);
    }
}
