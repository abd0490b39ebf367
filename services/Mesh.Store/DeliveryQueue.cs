using Google.Protobuf;
using Mesh.Events.V1;
using StackExchange.Redis;

namespace Mesh.Store;

/// <summary>
/// The durable queue of deliveries. Every change of a delivery is one Lua script that also
/// appends the matching event, so state and event log never disagree. Nothing is removed
/// before its outcome is recorded (ARCHITECTURE.md, Delivery semantics).
/// </summary>
public sealed partial class DeliveryQueue(MeshStore store)
{
    private IDatabase Db => store.Database;

    /// <summary>One delivery to store with Enqueue.</summary>
    /// <summary>
    /// One delivery to store with Enqueue. <paramref name="SuppressionList"/> is null for mail that
    /// unsubscribes do not stop (transactional), else the list whose unsubscribes stop it.
    /// </summary>
    public sealed record NewDelivery(string Id, byte[] Record, string Recipient, string From, DateTimeOffset Due, DateTimeOffset Expires,
        Event Accepted, Event? Scheduled, string? SuppressionList, Event Suppressed, byte[] EventExtra, bool Smtputf8);

    /// <summary>A leased job.</summary>
    public sealed record Lease(string Id, uint Attempt, string Recipient, string From, byte[] Mime, bool Smtputf8, bool RequireTls);

    /// <summary>Stores all deliveries of one Send, or returns the stored answer of an idempotency key.</summary>
    public async Task<byte[]?> EnqueueAsync(string tenant, IReadOnlyList<NewDelivery> deliveries, string? idempotencyKey, byte[] response, DateTimeOffset now, TimeSpan retention)
    {
        var keys = new List<RedisKey>
        {
            Keys.Idempotency(tenant, idempotencyKey ?? "-"), Keys.Events(tenant), Keys.EventSequence(tenant), Keys.Schedule(tenant),
            Keys.Suppressed(tenant),
        };
        var args = new List<RedisValue>
        {
            idempotencyKey is null ? "0" : "1", response, now.ToUnixTimeMilliseconds(), deliveries.Count,
            EventLog.EventsChannelName(tenant), tenant, (long)retention.TotalSeconds,
        };
        foreach (var d in deliveries)
        {
            keys.Add(Keys.Delivery(tenant, d.Id));
            args.AddRange([d.Id, d.Record, d.Recipient, d.From, d.Due.ToUnixTimeMilliseconds(), d.Expires.ToUnixTimeMilliseconds(),
                d.Accepted.ToByteArray(), d.Scheduled?.ToByteArray() ?? RedisValue.EmptyString,
                d.SuppressionList is null ? RedisValue.EmptyString : Keys.SuppressionMember(d.SuppressionList, d.Recipient),
                d.SuppressionList is null ? RedisValue.EmptyString : Keys.SuppressionMember(string.Empty, d.Recipient),
                d.Suppressed.ToByteArray(), d.EventExtra, d.Smtputf8 ? "1" : "0"]);
        }

        var result = await Db.ScriptEvaluateAsync(EnqueueScript, [.. keys], [.. args]);
        return result.IsNull ? null : (byte[]?)result;
    }

    /// <summary>Claims up to <paramref name="limit"/> due deliveries until <paramref name="claimUntil"/>.</summary>
    public async Task<string[]> ClaimDueAsync(string tenant, DateTimeOffset now, DateTimeOffset claimUntil, int limit)
    {
        var result = await Db.ScriptEvaluateAsync(ClaimScript, [Keys.Schedule(tenant)],
            [now.ToUnixTimeMilliseconds(), claimUntil.ToUnixTimeMilliseconds(), limit]);
        return ((RedisResult[])result!).Select(r => (string)r!).ToArray();
    }

    /// <summary>Gives a claimed delivery back to the schedule, due at <paramref name="due"/>.</summary>
    public Task<bool> ReleaseClaimAsync(string tenant, string id, DateTimeOffset due) =>
        Db.SortedSetAddAsync(Keys.Schedule(tenant), id, due.ToUnixTimeMilliseconds(), SortedSetWhen.Exists);

    /// <summary>The fields of a delivery hash, or null when it does not exist.</summary>
    public async Task<StoredDelivery?> GetAsync(string tenant, string id)
    {
        var f = await Db.HashGetAsync(Keys.Delivery(tenant, id), ["rec", "state", "attempt", "expires", "last"]);
        if (f[0].IsNull)
        {
            return null;
        }

        return new StoredDelivery(id, (byte[])f[0]!, (string)f[1]!, (uint)(long)f[2],
            DateTimeOffset.FromUnixTimeMilliseconds((long)f[3]), f[4].IsNullOrEmpty ? null : DeliveryDetails.Parser.ParseFrom((byte[])f[4]!));
    }

    public Task<bool> HasMimeAsync(string tenant, string id) => Db.KeyExistsAsync(Keys.Mime(tenant, id));

    /// <summary>Moves a claimed delivery to the ready queue, storing its signed MIME if given.</summary>
    public async Task<bool> PromoteAsync(string tenant, string id, byte[]? mime)
    {
        var result = await Db.ScriptEvaluateAsync(PromoteScript,
            [Keys.Schedule(tenant), Keys.Delivery(tenant, id), Keys.Mime(tenant, id), Keys.Ready(tenant)],
            [id, mime ?? RedisValue.EmptyString, tenant]);
        return (long)result == 1;
    }

    /// <summary>Ends a delivery that waits in the schedule, with a final state and its event.</summary>
    public async Task<bool> FinishScheduledAsync(string tenant, string id, string state, Event evt, DateTimeOffset now, TimeSpan retention)
    {
        var result = await Db.ScriptEvaluateAsync(FinishScheduledScript,
            [Keys.Schedule(tenant), Keys.Delivery(tenant, id), Keys.Mime(tenant, id), Keys.Events(tenant), Keys.EventSequence(tenant)],
            [id, state, evt.ToByteArray(), evt.Details?.ToByteArray() ?? RedisValue.EmptyString, EventLog.EventsChannelName(tenant),
                (long)retention.TotalSeconds, now.ToUnixTimeMilliseconds()]);
        return (long)result == 1;
    }

    /// <summary>Records the result of one attempt. <paramref name="due"/> reschedules it (a deferral).</summary>
    public async Task<bool> ReportAsync(string tenant, string id, uint attempt, string state, Event evt, DateTimeOffset? due, DateTimeOffset now, TimeSpan retention)
    {
        var result = await Db.ScriptEvaluateAsync(ReportScript,
            [Keys.Delivery(tenant, id), Keys.Leases(tenant), Keys.Schedule(tenant), Keys.Mime(tenant, id), Keys.Events(tenant), Keys.EventSequence(tenant)],
            [id, attempt, state, evt.ToByteArray(), due?.ToUnixTimeMilliseconds() ?? RedisValue.EmptyString,
                evt.Details?.ToByteArray() ?? RedisValue.EmptyString, EventLog.EventsChannelName(tenant), tenant,
                (long)retention.TotalSeconds, now.ToUnixTimeMilliseconds()]);
        return (long)result == 1;
    }

    /// <summary>Leases the next ready job of a tenant, or returns null when there is none.</summary>
    public async Task<Lease?> LeaseAsync(string tenant, string agentId, DateTimeOffset deadline, Event dispatched)
    {
        var result = await Db.ScriptEvaluateAsync(LeaseScript,
            [Keys.Ready(tenant), Keys.Leases(tenant), Keys.Events(tenant), Keys.EventSequence(tenant)],
            [deadline.ToUnixTimeMilliseconds(), agentId, Keys.Prefix(tenant), dispatched.ToByteArray(), EventLog.EventsChannelName(tenant)]);
        if (result.IsNull)
        {
            return null;
        }

        var f = (RedisResult[])result!;
        return new Lease((string)f[0]!, (uint)(long)f[1], (string)f[2]!, (string)f[3]!, (byte[])f[4]!, (string?)f[5] == "1", (string?)f[6] == "1");
    }

    /// <summary>Extends the leases of the listed (id, attempt) pairs that are still held.</summary>
    public async Task<long> ExtendAsync(string tenant, IEnumerable<(string Id, uint Attempt)> jobs, DateTimeOffset deadline)
    {
        var args = new List<RedisValue> { deadline.ToUnixTimeMilliseconds(), Keys.Prefix(tenant) };
        foreach (var (id, attempt) in jobs)
        {
            args.Add(id);
            args.Add(attempt);
        }

        return args.Count == 2 ? 0 : (long)await Db.ScriptEvaluateAsync(ExtendScript, [Keys.Leases(tenant)], [.. args]);
    }

    /// <summary>True while (id, attempt) is still leased out, i.e. its lease has not ended and no result came.</summary>
    public async Task<bool> IsLeasedAsync(string tenant, string id, uint attempt)
    {
        var f = await Db.HashGetAsync(Keys.Delivery(tenant, id), ["attempt", "state"]);
        return f[1] == DeliveryStates.Dispatched && f[0] == attempt;
    }

    /// <summary>Puts jobs whose lease ended back in the ready queue.</summary>
    public async Task<long> RequeueExpiredAsync(string tenant, DateTimeOffset now) =>
        (long)await Db.ScriptEvaluateAsync(RequeueScript, [Keys.Leases(tenant), Keys.Ready(tenant)],
            [now.ToUnixTimeMilliseconds(), Keys.Prefix(tenant), tenant, RedisValue.EmptyString, RedisValue.EmptyString]);

    /// <summary>Puts one handed-back job at the front of the ready queue.</summary>
    public async Task<bool> HandBackAsync(string tenant, string id, uint attempt) =>
        (long)await Db.ScriptEvaluateAsync(RequeueScript, [Keys.Leases(tenant), Keys.Ready(tenant)],
            [0, Keys.Prefix(tenant), tenant, id, attempt]) == 1;

    /// <summary>The earliest due time in a tenant's schedule or leases, if any.</summary>
    public async Task<DateTimeOffset?> NextWakeAsync(string tenant)
    {
        var batch = Db.CreateBatch();
        var sched = batch.SortedSetRangeByRankWithScoresAsync(Keys.Schedule(tenant), 0, 0);
        var leases = batch.SortedSetRangeByRankWithScoresAsync(Keys.Leases(tenant), 0, 0);
        batch.Execute();
        var scores = (await sched).Concat(await leases).Select(e => e.Score).ToList();
        return scores.Count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)scores.Min());
    }
}

/// <summary>What the store holds about one delivery.</summary>
public sealed record StoredDelivery(string Id, byte[] Record, string State, uint Attempt, DateTimeOffset Expires, DeliveryDetails? Last);
