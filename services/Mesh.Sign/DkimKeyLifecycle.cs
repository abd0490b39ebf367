using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Mesh.Events.V1;
using Mesh.Sign.V1;
using Mesh.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using F = Mesh.Sign.DkimKeyStore.Fields;

namespace Mesh.Sign;

/// <summary>
/// Rotation, activation, retirement and revocation of a domain's DKIM keys (issue 4). Each change is
/// one transaction on Keys.DkimKey that bumps the domain's generation (so every replica's signer
/// cache drops the old keys for the next message), followed by an event in the tenant's log.
/// </summary>
public sealed class DkimKeyLifecycle(MeshStore store, KeyEncryption encryption, EventLog events, IOptions<SignOptions> options, TimeProvider clock, ILogger<DkimKeyLifecycle> logger)
{
    private static readonly (string Algorithm, string Selector, string Key, string Public)[] Slots =
    [
        (DkimKeyStore.RsaAlgorithm, F.RsaSelector, F.RsaKey, F.RsaPublic),
        (DkimKeyStore.Ed25519Algorithm, F.EdSelector, F.EdKey, F.EdPublic),
    ];

    /// <summary>The keys that are not retired; retires first the previous pair whose overlap has passed.</summary>
    public async Task<DomainKeys> GetAsync(string tenant, string domain)
    {
        var stored = await ReadAsync(tenant, domain);
        if (await RetireDueAsync(tenant, domain, stored))
        {
            stored = await ReadAsync(tenant, domain);
        }

        return Describe(stored);
    }

    /// <summary>Makes a pending pair; the active pair keeps signing until <see cref="ActivateAsync"/>.</summary>
    public async Task<DomainKeys> RotateAsync(string tenant, string domain, string selectorPrefix)
    {
        var stored = await ReadAsync(tenant, domain);
        if (stored.ContainsKey(F.Pending + F.RsaSelector) || stored.ContainsKey(F.Pending + F.EdSelector))
        {
            throw new KeyStateException(KeyStateError.FailedPrecondition, $"a rotation of {domain} is already pending: publish its records and verify the domain, or revoke it first");
        }

        var used = UsedSelectors(stored);
        string prefix;
        if (selectorPrefix.Length > 0)
        {
            prefix = selectorPrefix;
            if (used.Contains(prefix + "r") || used.Contains(prefix + "e"))
            {
                throw new KeyStateException(KeyStateError.AlreadyExists, $"selector {prefix}r or {prefix}e was already used on {domain}; a selector is never reused");
            }
        }
        else
        {
            // A second rotation on the same day gets mesh<day>-2, -3...: a selector is never reused,
            // because a receiver may still cache the old record (RFC 6376 §3.6.2.2).
            var day = "mesh" + clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            prefix = day;
            for (var n = 2; used.Contains(prefix + "r") || used.Contains(prefix + "e"); n++)
            {
                prefix = $"{day}-{n}";
            }
        }

        var (rsaSelector, edSelector) = (prefix + "r", prefix + "e");
        used.UnionWith([rsaSelector, edSelector]);
        var set = DkimKeyPair.Create(encryption, tenant, domain, F.Pending, rsaSelector, edSelector).Append(new HashEntry(F.Used, string.Join(' ', used.Order(StringComparer.Ordinal))));
        await WriteAsync(tenant, domain, stored, [.. set], []);
        Log.KeysRotated(logger, tenant, domain, rsaSelector, edSelector);
        await AppendAsync(tenant, EventType.DkimKeyRotated, domain, [rsaSelector, edSelector]);
        return Describe(await ReadAsync(tenant, domain));
    }

    /// <summary>The pending pair signs from the next message on; the active pair becomes previous (published, not signing).</summary>
    public async Task<DomainKeys> ActivateAsync(string tenant, string domain)
    {
        var stored = await ReadAsync(tenant, domain);
        if (!stored.ContainsKey(F.Pending + F.RsaSelector) && !stored.ContainsKey(F.Pending + F.EdSelector))
        {
            throw new KeyStateException(KeyStateError.FailedPrecondition, $"no rotation of {domain} is pending");
        }

        // A previous pair still in its overlap is retired now: only one previous pair is kept.
        if (await RetireAsync(tenant, domain, stored))
        {
            stored = await ReadAsync(tenant, domain);
        }

        var set = new List<HashEntry> { new(F.PreviousSince, clock.GetUtcNow().ToUnixTimeMilliseconds()) };
        var delete = new List<RedisValue>();
        var activated = new List<string>();
        foreach (var slot in Slots)
        {
            // The old active key stops signing: its private key is deleted, its record stays published.
            if (stored.ContainsKey(slot.Key) && stored.TryGetValue(slot.Selector, out var oldSelector))
            {
                set.Add(new(F.Previous + slot.Selector, oldSelector));
                set.Add(new(F.Previous + slot.Public, stored[slot.Public]));
            }

            delete.AddRange([slot.Selector, slot.Key, slot.Public, F.Pending + slot.Selector, F.Pending + slot.Key, F.Pending + slot.Public]);
            if (stored.TryGetValue(F.Pending + slot.Selector, out var selector))
            {
                set.Add(new(slot.Selector, selector));
                set.Add(new(slot.Public, stored[F.Pending + slot.Public]));
                if (stored.TryGetValue(F.Pending + slot.Key, out var sealedKey))
                {
                    set.Add(new(slot.Key, sealedKey));
                    activated.Add(selector.ToString());
                }
            }
        }

        await WriteAsync(tenant, domain, stored, set, delete);
        Log.KeysActivated(logger, tenant, domain, string.Join(' ', activated));
        await AppendAsync(tenant, EventType.DkimKeyActivated, domain, activated);
        return await GetAsync(tenant, domain);
    }

    /// <summary>Revokes a selector wherever it is: its private key is deleted, so the next message no longer carries it.</summary>
    public async Task<DomainKeys> RevokeAsync(string tenant, string domain, string selector)
    {
        var stored = await ReadAsync(tenant, domain);
        var revoked = RevokedSelectors(stored);
        if (revoked.Any(r => r.Selector == selector))
        {
            throw new KeyStateException(KeyStateError.FailedPrecondition, $"selector {selector} of {domain} is already revoked");
        }

        foreach (var prefix in new[] { string.Empty, F.Pending, F.Previous })
        {
            foreach (var slot in Slots)
            {
                if (stored.TryGetValue(prefix + slot.Selector, out var found) && found == selector)
                {
                    // An active or pending selector keeps its public fields (it still names the slot); its key goes.
                    RedisValue[] delete = prefix == F.Previous ? [prefix + slot.Selector, prefix + slot.Public] : [prefix + slot.Key];
                    var line = $"{selector}|{slot.Algorithm}";
                    var list = stored.TryGetValue(F.Revoked, out var old) ? old + "\n" + line : line;
                    await WriteAsync(tenant, domain, stored, [new(F.Revoked, list)], delete);
                    Log.KeyRevoked(logger, tenant, domain, selector);
                    await AppendAsync(tenant, EventType.DkimKeyRevoked, domain, [selector]);
                    return await GetAsync(tenant, domain);
                }
            }
        }

        throw new KeyStateException(KeyStateError.NotFound, $"domain {domain} has no selector '{selector}'");
    }

    private async Task<bool> RetireDueAsync(string tenant, string domain, Dictionary<string, RedisValue> stored)
    {
        if (!stored.TryGetValue(F.PreviousSince, out var since))
        {
            return false;
        }

        var due = DateTimeOffset.FromUnixTimeMilliseconds((long)since) + options.Value.RetireAfter;
        return clock.GetUtcNow() >= due && await RetireAsync(tenant, domain, stored);
    }

    private async Task<bool> RetireAsync(string tenant, string domain, Dictionary<string, RedisValue> stored)
    {
        if (!stored.ContainsKey(F.PreviousSince))
        {
            return false;
        }

        var retired = Slots.Where(s => stored.ContainsKey(F.Previous + s.Selector)).Select(s => stored[F.Previous + s.Selector].ToString()).ToList();
        RedisValue[] delete = [F.PreviousSince, .. Slots.SelectMany(s => new RedisValue[] { F.Previous + s.Selector, F.Previous + s.Public })];
        await WriteAsync(tenant, domain, stored, [], delete);
        Log.KeysRetired(logger, tenant, domain, string.Join(' ', retired));
        if (retired.Count > 0)
        {
            await AppendAsync(tenant, EventType.DkimKeyRetired, domain, retired);
        }

        return true;
    }

    private async Task<Dictionary<string, RedisValue>> ReadAsync(string tenant, string domain)
    {
        var entries = await store.Database.HashGetAllAsync(Keys.DkimKey(tenant, domain));
        if (entries.Length == 0)
        {
            throw new KeyStateException(KeyStateError.NotFound, $"domain {domain} has no DKIM keys");
        }

        return entries.ToDictionary(e => e.Name.ToString(), e => e.Value);
    }

    /// <summary>One change, only if nobody changed the domain's keys since they were read; bumps the generation.</summary>
    private async Task WriteAsync(string tenant, string domain, Dictionary<string, RedisValue> read, IReadOnlyList<HashEntry> set, IReadOnlyList<RedisValue> delete)
    {
        var key = Keys.DkimKey(tenant, domain);
        var tx = store.Database.CreateTransaction();
        tx.AddCondition(read.TryGetValue(F.Generation, out var generation) ? Condition.HashEqual(key, F.Generation, generation) : Condition.HashNotExists(key, F.Generation));
        var removed = delete.Where(d => !set.Any(s => s.Name == d)).ToArray();
        if (removed.Length > 0)
        {
            _ = tx.HashDeleteAsync(key, removed);
        }

        if (set.Count > 0)
        {
            _ = tx.HashSetAsync(key, [.. set]);
        }

        _ = tx.HashIncrementAsync(key, F.Generation);
        if (!await tx.ExecuteAsync())
        {
            throw new KeyStateException(KeyStateError.Conflict, $"the keys of {domain} changed concurrently; try again");
        }
    }

    private Task AppendAsync(string tenant, EventType type, string domain, IEnumerable<string> selectors) =>
        events.AppendAsync(tenant, new Event { Type = type, Domain = domain, Selectors = { selectors }, Time = Timestamp.FromDateTimeOffset(clock.GetUtcNow()) });

    private static HashSet<string> UsedSelectors(Dictionary<string, RedisValue> stored)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        if (stored.TryGetValue(F.Used, out var list))
        {
            used.UnionWith(list.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        foreach (var prefix in new[] { string.Empty, F.Pending, F.Previous })
        {
            used.UnionWith(Slots.Where(s => stored.ContainsKey(prefix + s.Selector)).Select(s => stored[prefix + s.Selector].ToString()));
        }

        used.UnionWith(RevokedSelectors(stored).Select(r => r.Selector));
        return used;
    }

    private static List<(string Selector, string Algorithm)> RevokedSelectors(Dictionary<string, RedisValue> stored) =>
        stored.TryGetValue(F.Revoked, out var list)
            ? [.. list.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).Select(p => (p[0], p[1]))]
            : [];

    private static DomainKeys Describe(Dictionary<string, RedisValue> stored)
    {
        var revoked = RevokedSelectors(stored);
        var keys = new DomainKeys();
        foreach (var (prefix, state) in new[] { (string.Empty, KeyState.Active), (F.Pending, KeyState.Pending), (F.Previous, KeyState.Previous) })
        {
            foreach (var slot in Slots)
            {
                if (stored.TryGetValue(prefix + slot.Selector, out var selector) && !revoked.Any(r => r.Selector == selector))
                {
                    keys.Keys.Add(new DkimKey { Selector = selector!, Algorithm = slot.Algorithm, State = state, DnsTxt = DkimKeyPair.Txt(slot.Algorithm, stored[prefix + slot.Public].ToString()) });
                }
            }
        }

        // RFC 6376 §3.6.1: an empty p= says the key was revoked.
        keys.Keys.Add(revoked.Select(r => new DkimKey { Selector = r.Selector, Algorithm = r.Algorithm, State = KeyState.Revoked, DnsTxt = r.Algorithm == DkimKeyStore.RsaAlgorithm ? "v=DKIM1; k=rsa; p=" : "v=DKIM1; k=ed25519; p=" }));
        return keys;
    }
}
