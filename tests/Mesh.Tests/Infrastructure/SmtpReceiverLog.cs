using System.Threading.Channels;

namespace Mesh.Tests.Infrastructure;

/// <summary>What a <see cref="SmtpReceiver"/> has seen; written by SmtpServer's sessions, read by tests.</summary>
internal sealed class SmtpReceiverLog
{
    private readonly Lock gate = new();
    private readonly List<ReceivedMessage> messages = [];
    private readonly Channel<ReceivedMessage> arrivals = Channel.CreateUnbounded<ReceivedMessage>();
    private int rcptAttempts;
    private int dataAttempts;
    private int lastQueueId;

    public int RcptAttempts => Volatile.Read(ref rcptAttempts);

    public int DataAttempts => Volatile.Read(ref dataAttempts);

    public ChannelReader<ReceivedMessage> Arrivals => arrivals.Reader;

    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (gate)
            {
                return [.. messages];
            }
        }
    }

    public void CountRcpt() => Interlocked.Increment(ref rcptAttempts);

    public void CountData() => Interlocked.Increment(ref dataAttempts);

    public int NextQueueId() => Interlocked.Increment(ref lastQueueId);

    public void Record(ReceivedMessage message)
    {
        lock (gate)
        {
            messages.Add(message);
        }

        // Unbounded, so this only fails after Complete, which nothing calls.
        if (!arrivals.Writer.TryWrite(message))
        {
            throw new InvalidOperationException("The receiver's message channel is closed.");
        }
    }
}
