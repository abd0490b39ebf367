using System.Collections.Concurrent;
using Mesh.Store;
using StackExchange.Redis;

namespace Mesh.Dispatch;

/// <summary>
/// Wakes the agent sessions of a tenant when its ready queue gets work (pub/sub "mesh:ready"),
/// so dispatch never polls the queue.
/// </summary>
public sealed class TenantSignals : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<AgentSession, byte>> _sessions = new();
    private readonly Lazy<Task<ChannelMessageQueue>> _subscription;

    public TenantSignals(MeshStore store)
    {
        // One subscription per process, made when the first agent connects.
        _subscription = new(async () =>
        {
            var subscription = await store.Subscriber.SubscribeAsync(Keys.ReadyChannel);
            subscription.OnMessage(m => Notify((string)m.Message!));
            return subscription;
        });
    }

    public async Task RegisterAsync(AgentSession session)
    {
        await _subscription.Value;
        _sessions.GetOrAdd(session.Tenant, _ => new()).TryAdd(session, 0);
    }

    public void Unregister(AgentSession session)
    {
        if (_sessions.TryGetValue(session.Tenant, out var set))
        {
            set.TryRemove(session, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription.IsValueCreated)
        {
            await (await _subscription.Value).UnsubscribeAsync();
        }
    }

    private void Notify(string tenant)
    {
        if (_sessions.TryGetValue(tenant, out var set))
        {
            foreach (var session in set.Keys)
            {
                session.Wake();
            }
        }
    }
}
