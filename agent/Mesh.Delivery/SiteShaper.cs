using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Mesh.Agent.V1;

namespace Mesh.Delivery;

/// <summary>
/// Paces deliveries per site: a site that answered 421 (or a configured reply) is suspended for a
/// back-off period, and jobs for it wait instead of failing; a messages-per-minute limit spaces
/// sends evenly; a connection limit caps concurrent transactions. Limits come from local
/// configuration, tightened by rules the provider pushes. Reputation is per source IP and receivers
/// throttle per site, so this lives in the agent (ARCHITECTURE.md, Delivery engine).
/// </summary>
internal sealed class SiteShaper(ShapingOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, SiteState> _sites = new();
    private readonly Regex[] _suspendOn = options.SuspendOnReplies.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))).ToArray();
    private volatile IReadOnlyList<ShapingRule> _rules = [];

    /// <summary>The site of a route: its hosts, in order of name, so that domains sharing an MX set share a site.</summary>
    public static string SiteOf(IEnumerable<MailHost> hosts) =>
        string.Join(',', hosts.Select(h => $"{h.Host.ToLowerInvariant()}:{h.Port}").Distinct().Order(StringComparer.Ordinal));

    /// <summary>Replaces the provider's rules; sites pick them up from their next message.</summary>
    public void ApplyRules(IEnumerable<ShapingRule> rules)
    {
        _rules = [.. rules];
        _sites.Clear();
    }

    /// <summary>Waits until the site may take one more message; dispose the result when the transaction ends.</summary>
    public async Task<IDisposable> EnterAsync(string site, CancellationToken ct)
    {
        var state = _sites.GetOrAdd(site, s => new SiteState(Limits(s)));
        while (true)
        {
            var wait = state.NextSendAt(clock.GetUtcNow());
            if (wait <= TimeSpan.Zero)
            {
                break;
            }

            await Task.Delay(wait, clock, ct);
        }

        if (state.Connections is not { } connections)
        {
            return NoSlot.Instance;
        }

        await connections.WaitAsync(ct);
        return new Slot(connections);
    }

    /// <summary>Suspends the site when a reply says it is overloaded (421, or a configured pattern).</summary>
    public bool Observe(string site, uint code, string reply)
    {
        if (code != 421 && !_suspendOn.Any(p => p.IsMatch(reply)))
        {
            return false;
        }

        var state = _sites.GetOrAdd(site, s => new SiteState(Limits(s)));
        state.Suspend(clock.GetUtcNow() + state.Limits.SuspendFor);
        return true;
    }

    /// <summary>The local limits, tightened by every provider rule whose suffix matches one of the site's hosts.</summary>
    private SiteLimits Limits(string site)
    {
        var hosts = site.Split(',').Select(h => h[..h.LastIndexOf(':')]).ToList();
        var matching = _rules.Where(r => hosts.Any(h => h == r.MxSuffix || h.EndsWith("." + r.MxSuffix, StringComparison.Ordinal))).ToList();
        return new SiteLimits(
            Tightest(options.MessagesPerMinute, matching.Select(r => (int)r.MessagesPerMinute)),
            Tightest(0, matching.Select(r => (int)r.MaxConnections)),
            matching.Where(r => r.SuspendSeconds > 0).Select(r => TimeSpan.FromSeconds(r.SuspendSeconds)).Append(options.SuspendFor).Max());
    }

    /// <summary>The smallest positive limit (0 means none).</summary>
    private static int Tightest(int local, IEnumerable<int> pushed) =>
        pushed.Append(local).Where(l => l > 0).DefaultIfEmpty(0).Min();

    private sealed record SiteLimits(int MessagesPerMinute, int MaxConnections, TimeSpan SuspendFor);

    private sealed class SiteState(SiteLimits limits)
    {
        private readonly Lock _gate = new();
        private DateTimeOffset _suspendedUntil;
        private DateTimeOffset _nextSlot;

        public SiteLimits Limits { get; } = limits;

        public SemaphoreSlim? Connections { get; } = limits.MaxConnections > 0 ? new SemaphoreSlim(limits.MaxConnections, limits.MaxConnections) : null;

        public void Suspend(DateTimeOffset until)
        {
            lock (_gate)
            {
                if (until > _suspendedUntil)
                {
                    _suspendedUntil = until;
                }
            }
        }

        /// <summary>Zero when a message may go now (and takes its slot), else how long to wait.</summary>
        public TimeSpan NextSendAt(DateTimeOffset now)
        {
            lock (_gate)
            {
                if (now < _suspendedUntil)
                {
                    return _suspendedUntil - now;
                }

                if (Limits.MessagesPerMinute <= 0)
                {
                    return TimeSpan.Zero;
                }

                if (now < _nextSlot)
                {
                    return _nextSlot - now;
                }

                _nextSlot = now + TimeSpan.FromMinutes(1.0 / Limits.MessagesPerMinute);
                return TimeSpan.Zero;
            }
        }
    }

    private sealed class Slot(SemaphoreSlim connections) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                connections.Release();
            }
        }
    }

    private sealed class NoSlot : IDisposable
    {
        public static readonly NoSlot Instance = new();

        public void Dispose()
        {
        }
    }
}
