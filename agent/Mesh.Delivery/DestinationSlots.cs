using System.Collections.Concurrent;

namespace Mesh.Delivery;

/// <summary>
/// Limits the connections open at once to one destination: receivers count concurrent connections
/// per client IP, and too many earn a 421. A job waits for a free slot rather than failing.
/// </summary>
internal sealed class DestinationSlots(int perDestination)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new();

    public async Task<Slot> AcquireAsync(string destination, CancellationToken ct)
    {
        var semaphore = _slots.GetOrAdd(destination, _ => new SemaphoreSlim(perDestination, perDestination));
        await semaphore.WaitAsync(ct);
        return new Slot(semaphore);
    }

    /// <summary>A held slot; disposing it frees the slot.</summary>
    public readonly struct Slot(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
