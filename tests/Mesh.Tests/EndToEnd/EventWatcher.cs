using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Gateway.V1;

namespace Mesh.Tests.EndToEnd;

/// <summary>Reads a tenant's StreamEvents in the background so tests can wait for an event.</summary>
public sealed class EventWatcher : IAsyncDisposable
{
    private readonly AsyncServerStreamingCall<Event> _call;
    private readonly CancellationTokenSource _cts = new();
    private readonly List<Event> _seen = [];
    private readonly Lock _gate = new();
    private readonly Task _reading;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EventWatcher(TestTenant tenant, ulong afterCursor = 0)
    {
        _call = tenant.Mail.StreamEvents(new StreamEventsRequest { AfterCursor = afterCursor }, tenant.Headers, cancellationToken: _cts.Token);
        _reading = ReadAsync();
    }

    public IReadOnlyList<Event> Seen
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Waits for the first event (seen so far or later) that matches.</summary>
    public async Task<Event> WaitForAsync(Func<Event, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Infrastructure.TestTimeouts.Default);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var found = _seen.FirstOrDefault(match);
                if (found is not null)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no matching event; seen: " + string.Join(", ", Seen.Select(e => $"{e.Type}({e.MessageId})")));
            }
        }
    }

    public Task<Event> WaitForAsync(string messageId, EventType type, TimeSpan? timeout = null) =>
        WaitForAsync(e => e.MessageId == messageId && e.Type == type, timeout);

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _call.Dispose();
    }

    private async Task ReadAsync()
    {
        await foreach (var evt in _call.ResponseStream.ReadAllAsync(_cts.Token))
        {
            lock (_gate)
            {
                _seen.Add(evt);
                var changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                changed.SetResult();
            }
        }
    }
}
