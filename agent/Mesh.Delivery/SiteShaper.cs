using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Mesh.Delivery;

/// <summary>
/// Paces deliveries per site: a site that answered 421 (or a configured reply) is suspended for a
/// back-off period, and jobs for it wait instead of failing; an optional messages-per-minute limit
/// spaces sends evenly. Reputation is per source IP and receivers throttle per site, so this lives
/// in the agent (ARCHITECTURE.md, Delivery engine).
/// </summary>
internal sealed class SiteShaper(ShapingOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, SiteState> _sites = new();
    private readonly Regex[] _suspendOn = options.SuspendOnReplies.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))).ToArray();

    /// <summary>The site of a route: its hosts, in order of name, so that domains sharing an MX set share a site.</summary>
    public static string SiteOf(IEnumerable<MailHost> hosts) =>
        string.Join(',', hosts.Select(h => $"{h.Host.ToLowerInvariant()}:{h.Port}").Distinct().Order(StringComparer.Ordinal));

    /// <summary>Waits until the site may take one more message.</summary>
    public async Task WaitTurnAsync(string site, CancellationToken ct)
    {
        var state = _sites.GetOrAdd(site, _ => new SiteState());
        while (true)
        {
            var now = clock.GetUtcNow();
            var wait = state.NextSendAt(now, options.MessagesPerMinute);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait, clock, ct);
        }
    }

    /// <summary>Suspends the site when a reply says it is overloaded (421, or a configured pattern).</summary>
    public bool Observe(string site, uint code, string reply)
    {
        if (code != 421 && !_suspendOn.Any(p => p.IsMatch(reply)))
        {
            return false;
        }

        _sites.GetOrAdd(site, _ => new SiteState()).Suspend(clock.GetUtcNow() + options.SuspendFor);
        return true;
    }

    private sealed class SiteState
    {
        private readonly Lock _gate = new();
        private DateTimeOffset _suspendedUntil;
        private DateTimeOffset _nextSlot;

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
        public TimeSpan NextSendAt(DateTimeOffset now, int perMinute)
        {
            lock (_gate)
            {
                if (now < _suspendedUntil)
                {
                    return _suspendedUntil - now;
                }

                if (perMinute <= 0)
                {
                    return TimeSpan.Zero;
                }

                if (now < _nextSlot)
                {
                    return _nextSlot - now;
                }

                _nextSlot = now + TimeSpan.FromMinutes(1.0 / perMinute);
                return TimeSpan.Zero;
            }
        }
    }
}
