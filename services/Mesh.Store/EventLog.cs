using Google.Protobuf;
using Mesh.Events.V1;
using StackExchange.Redis;

namespace Mesh.Store;

/// <summary>Reads a tenant's ordered event log (written atomically by the scripts that change state).</summary>
public sealed class EventLog(MeshStore store)
{
    private const string AppendScript = Lua.Prelude + "return emit(KEYS[1], KEYS[2], ARGV[1], ARGV[2])";

    /// <summary>Appends an event on its own (for changes made outside a delivery script).</summary>
    public async Task<long> AppendAsync(string tenant, Event evt)
    {
        var result = await store.Database.ScriptEvaluateAsync(
            AppendScript,
            [Keys.Events(tenant), Keys.EventSequence(tenant)],
            [EventsChannelName(tenant), evt.ToByteArray()]);
        return (long)result;
    }

    /// <summary>Events after the cursor, oldest first, at most <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<Event>> ReadAsync(string tenant, ulong afterCursor, int count)
    {
        var entries = await store.Database.SortedSetRangeByScoreAsync(
            Keys.Events(tenant), afterCursor, double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, count);
        var events = new List<Event>(entries.Length);
        foreach (var entry in entries)
        {
            var bytes = (byte[])entry!;
            var colon = Array.IndexOf(bytes, (byte)':');
            var evt = Event.Parser.ParseFrom(bytes, colon + 1, bytes.Length - colon - 1);
            evt.Cursor = ulong.Parse(System.Text.Encoding.ASCII.GetString(bytes, 0, colon), System.Globalization.CultureInfo.InvariantCulture);
            events.Add(evt);
        }

        return events;
    }

    public static string EventsChannelName(string tenant) => "mesh:events:" + tenant;
}
