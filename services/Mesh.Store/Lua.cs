namespace Mesh.Store;

/// <summary>
/// Lua shared by the scripts that change a delivery. emit() appends to the tenant's event log
/// and wakes StreamEvents readers in the same atomic step as the change it reports.
/// Event payloads are protobuf (mesh.events.v1.Event) built by the caller; fields that only
/// the script knows (message id, recipient, attempt) are appended as protobuf fields, which
/// protobuf merges (a later scalar field wins).
/// </summary>
public static class Lua
{
    public const string Prelude = """
        local function pbvarint(n)
          local s = ''
          n = tonumber(n)
          while n >= 128 do
            s = s .. string.char(n % 128 + 128)
            n = math.floor(n / 128)
          end
          return s .. string.char(n)
        end
        local function pbstring(field, v)
          return string.char(field * 8 + 2) .. pbvarint(string.len(v)) .. v
        end
        local function pbuint(field, n)
          return string.char(field * 8) .. pbvarint(n)
        end
        local function emit(evkey, seqkey, channel, payload)
          local seq = redis.call('INCR', seqkey)
          redis.call('ZADD', evkey, seq, seq .. ':' .. payload)
          redis.call('PUBLISH', channel, seq)
          return seq
        end

        """;
}
