using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Dispatch.V1;
using Mesh.Store;

namespace Mesh.Dispatch;

/// <summary>Which agents of a tenant are connected, kept in the store so every replica can answer.</summary>
public sealed class AgentPresence(MeshStore store, TimeProvider clock)
{
    public Task ConnectedAsync(string tenant, AgentInfo agent)
    {
        agent.ConnectedAt = agent.LastSeen = Timestamp.FromDateTimeOffset(clock.GetUtcNow());
        return store.Database.HashSetAsync(Keys.Agents(tenant), agent.AgentId, agent.ToByteArray());
    }

    public async Task SeenAsync(string tenant, string agentId)
    {
        var stored = await store.Database.HashGetAsync(Keys.Agents(tenant), agentId);
        if (stored.IsNull)
        {
            return;
        }

        var agent = AgentInfo.Parser.ParseFrom((byte[])stored!);
        agent.LastSeen = Timestamp.FromDateTimeOffset(clock.GetUtcNow());
        await store.Database.HashSetAsync(Keys.Agents(tenant), agentId, agent.ToByteArray());
    }

    public Task DisconnectedAsync(string tenant, string agentId) => store.Database.HashDeleteAsync(Keys.Agents(tenant), agentId);

    public async Task<IReadOnlyList<AgentInfo>> ListAsync(string tenant, TimeSpan leaseDuration)
    {
        var now = clock.GetUtcNow();
        var entries = await store.Database.HashValuesAsync(Keys.Agents(tenant));
        return entries.Select(e =>
        {
            var agent = AgentInfo.Parser.ParseFrom((byte[])e!);
            agent.Connected = now - agent.LastSeen.ToDateTimeOffset() <= leaseDuration;
            return agent;
        }).OrderBy(a => a.AgentId, StringComparer.Ordinal).ToList();
    }
}
