namespace Mesh.Agent;

/// <summary>Exponential reconnect backoff with jitter, as in gRPC's connection-backoff document.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    private readonly TimeSpan _initial = initial;
    private const double Multiplier = 1.6;
    private const double Jitter = 0.2;
    private TimeSpan _current = initial;

    public TimeSpan Next()
    {
        var jittered = _current * (1 + (Random.Shared.NextDouble() * 2 - 1) * Jitter);
        _current = TimeSpan.FromTicks(Math.Min((long)(_current.Ticks * Multiplier), max.Ticks));
        return jittered;
    }

    public void Reset() => _current = _initial;
}
