namespace Mesh.Tests.Infrastructure;

/// <summary>
/// Tells a <see cref="SmtpReceiver"/> how to answer RCPT TO and the end of DATA. Planned replies
/// are used once each, in order; then a standing rule, if any; otherwise the receiver accepts.
/// </summary>
public sealed class SmtpScript
{
    private readonly Lock gate = new();
    private readonly Queue<SmtpReply> plannedRcpt = new();
    private readonly Queue<SmtpReply> plannedData = new();
    private readonly List<Func<string, SmtpReply?>> rcptRules = [];
    private SmtpReply? dataRule;

    /// <summary>Answers the next <paramref name="times"/> RCPT commands with <paramref name="reply"/>.</summary>
    public SmtpScript RcptReply(string reply, int times = 1) => Plan(plannedRcpt, SmtpReply.Parse(reply), times);

    /// <summary>Answers every RCPT for which <paramref name="when"/> holds (all, if null) with <paramref name="reply"/>.</summary>
    public SmtpScript RcptAlways(string reply, Func<string, bool>? when = null)
    {
        var parsed = SmtpReply.Parse(reply);
        lock (gate)
        {
            rcptRules.Add(address => when is null || when(address) ? parsed : null);
        }

        return this;
    }

    /// <summary>Answers the end of the next <paramref name="times"/> DATA commands with <paramref name="reply"/>.</summary>
    public SmtpScript DataReply(string reply, int times = 1) => Plan(plannedData, SmtpReply.Parse(reply), times);

    /// <summary>Answers the end of every DATA with <paramref name="reply"/>.</summary>
    public SmtpScript DataAlways(string reply)
    {
        var parsed = SmtpReply.Parse(reply);
        lock (gate)
        {
            dataRule = parsed;
        }

        return this;
    }

    /// <summary>The scripted reply for this RCPT, or null to accept it.</summary>
    internal SmtpReply? NextRcptReply(string address)
    {
        lock (gate)
        {
            if (plannedRcpt.TryDequeue(out var planned))
            {
                return planned;
            }

            return rcptRules.Select(rule => rule(address)).FirstOrDefault(reply => reply is not null);
        }
    }

    /// <summary>The scripted reply for the end of this DATA, or null to accept the message.</summary>
    internal SmtpReply? NextDataReply()
    {
        lock (gate)
        {
            return plannedData.TryDequeue(out var planned) ? planned : dataRule;
        }
    }

    private SmtpScript Plan(Queue<SmtpReply> queue, SmtpReply reply, int times)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (gate)
        {
            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(reply);
            }
        }

        return this;
    }
}
