namespace Mesh.Store;

public sealed partial class DeliveryQueue
{
    // KEYS: idem, ev, evseq, sched, suppressed, then one delivery hash per delivery.
    // ARGV: useIdem, response, now(ms), n, evchannel, tenant, retention(s), then per delivery:
    //       id, record, rcpt, from, due(ms), expires(ms), acceptedEvent, scheduledEvent|'',
    //       suppression member|'', tenant-wide suppression member|'', suppressedEvent,
    //       event extra (tags and metadata, appended to events built by scripts), smtputf8 (0/1).
    private const string EnqueueScript = Lua.Prelude + """
        if ARGV[1] == '1' then
          local prev = redis.call('GET', KEYS[1])
          if prev then return prev end
        end
        local n = tonumber(ARGV[4])
        for i = 1, n do
          local b = 7 + (i - 1) * 13
          local dkey = KEYS[5 + i]
          local suppressed = (ARGV[b + 9] ~= '' and redis.call('SISMEMBER', KEYS[5], ARGV[b + 9]) == 1)
            or (ARGV[b + 10] ~= '' and redis.call('SISMEMBER', KEYS[5], ARGV[b + 10]) == 1)
          redis.call('HSET', dkey, 'rec', ARGV[b + 2], 'state', 'scheduled', 'attempt', 0,
            'rcpt', ARGV[b + 3], 'from', ARGV[b + 4], 'created', ARGV[3], 'expires', ARGV[b + 6],
            'evx', ARGV[b + 12], 'u8', ARGV[b + 13])
          emit(KEYS[2], KEYS[3], ARGV[5], ARGV[b + 7])
          if suppressed then
            redis.call('HSET', dkey, 'state', 'suppressed', 'updated', ARGV[3])
            redis.call('EXPIRE', dkey, ARGV[7])
            emit(KEYS[2], KEYS[3], ARGV[5], ARGV[b + 11])
          else
            redis.call('ZADD', KEYS[4], ARGV[b + 5], ARGV[b + 1])
            if ARGV[b + 8] ~= '' then emit(KEYS[2], KEYS[3], ARGV[5], ARGV[b + 8]) end
          end
        end
        if ARGV[1] == '1' then redis.call('SET', KEYS[1], ARGV[2], 'EX', 86400) end
        redis.call('PUBLISH', 'mesh:schedule', ARGV[6])
        return false
        """;

    // Takes due deliveries and pushes their due time forward by the claim timeout, so that a
    // scheduler that dies while rendering leaves them to be claimed again.
    // KEYS: sched. ARGV: now, claimUntil, limit.
    private const string ClaimScript = """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
        for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
        return ids
        """;

    // KEYS: sched, d, mime, ready. ARGV: id, mime|'', tenant.
    private const string PromoteScript = """
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
        if ARGV[2] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HSET', KEYS[2], 'state', 'queued')
        redis.call('RPUSH', KEYS[4], ARGV[1])
        redis.call('PUBLISH', 'mesh:ready', ARGV[3])
        return 1
        """;

    // Ends a delivery that is waiting in the schedule (expired, or cannot be rendered).
    // KEYS: sched, d, mime, ev, evseq. ARGV: id, state, event, last, evchannel, retention(s), now.
    private const string FinishScheduledScript = Lua.Prelude + """
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('DEL', KEYS[3])
        redis.call('HSET', KEYS[2], 'state', ARGV[2], 'last', ARGV[4], 'updated', ARGV[7])
        redis.call('EXPIRE', KEYS[2], ARGV[6])
        emit(KEYS[4], KEYS[5], ARGV[5], ARGV[3])
        return 1
        """;

    // Records the result of one (delivery id, attempt); a repeat or a stale attempt changes nothing.
    // KEYS: d, leases, sched, mime, ev, evseq.
    // ARGV: id, attempt, state, event, due(ms)|'', last, evchannel, tenant, retention(s), now.
    private const string ReportScript = Lua.Prelude + """
        local cur = redis.call('HMGET', KEYS[1], 'attempt', 'state')
        if cur[1] ~= ARGV[2] or cur[2] ~= 'dispatched' then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HSET', KEYS[1], 'state', ARGV[3], 'last', ARGV[6], 'updated', ARGV[10])
        if ARGV[3] == 'scheduled' then
          redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
          redis.call('PUBLISH', 'mesh:schedule', ARGV[8])
        else
          redis.call('DEL', KEYS[4])
          redis.call('EXPIRE', KEYS[1], ARGV[9])
        end
        emit(KEYS[5], KEYS[6], ARGV[7], ARGV[4])
        return 1
        """;

    // Pops ready deliveries until one is still queued, leases it and records the dispatched event.
    // KEYS: ready, leases, ev, evseq. ARGV: deadline(ms), agent, prefix, event, evchannel.
    // Returns {id, attempt, rcpt, from, mime, smtputf8, require_tls (the tenant's policy now)} or nil.
    private const string LeaseScript = Lua.Prelude + """
        while true do
          local id = redis.call('LPOP', KEYS[1])
          if not id then return false end
          local dkey = ARGV[3] .. 'd:' .. id
          local f = redis.call('HMGET', dkey, 'state', 'rcpt', 'from', 'evx', 'u8')
          if f[1] == 'queued' then
            local attempt = redis.call('HINCRBY', dkey, 'attempt', 1)
            redis.call('HSET', dkey, 'state', 'dispatched', 'agent', ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[1], id)
            local mime = redis.call('GET', ARGV[3] .. 'mime:' .. id)
            emit(KEYS[3], KEYS[4], ARGV[5], ARGV[4] .. pbstring(3, id) .. pbstring(4, f[2]) .. pbuint(6, attempt) .. (f[4] or ''))
            local tls = redis.call('HGET', ARGV[3] .. 'tenant', 'require_tls')
            return {id, attempt, f[2], f[3], mime, f[5] or '0', tls or '0'}
          end
        end
        """;

    // Extends the leases of jobs still held at the given attempt.
    // KEYS: leases. ARGV: deadline(ms), prefix, then id, attempt pairs.
    private const string ExtendScript = """
        local n = 0
        for i = 3, #ARGV, 2 do
          local f = redis.call('HMGET', ARGV[2] .. 'd:' .. ARGV[i], 'attempt', 'state')
          if f[1] == ARGV[i + 1] and f[2] == 'dispatched' then
            redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i])
            n = n + 1
          end
        end
        return n
        """;

    // Puts leased jobs back in the ready queue: leases that ended (ids from the leases set) or
    // one job handed back (ARGV[4] = id, ARGV[5] = attempt).
    // KEYS: leases, ready. ARGV: now(ms), prefix, tenant, id|'', attempt|''.
    private const string RequeueScript = """
        local ids
        if ARGV[4] ~= '' then ids = {ARGV[4]} else
          ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
        end
        local n = 0
        for _, id in ipairs(ids) do
          local dkey = ARGV[2] .. 'd:' .. id
          local f = redis.call('HMGET', dkey, 'attempt', 'state')
          if f[2] == 'dispatched' and (ARGV[5] == '' or f[1] == ARGV[5]) then
            redis.call('ZREM', KEYS[1], id)
            redis.call('HSET', dkey, 'state', 'queued')
            if ARGV[4] ~= '' then redis.call('LPUSH', KEYS[2], id) else redis.call('RPUSH', KEYS[2], id) end
            n = n + 1
          elseif ARGV[4] == '' then
            redis.call('ZREM', KEYS[1], id)
          end
        end
        if n > 0 then redis.call('PUBLISH', 'mesh:ready', ARGV[3]) end
        return n
        """;
}
