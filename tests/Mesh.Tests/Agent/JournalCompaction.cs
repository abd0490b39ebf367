using Mesh.Agent;
using Mesh.Agent.Journal;
using Mesh.Agent.V1;
using Mesh.Schedule.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Tests.Agent;

/// <summary>Many jobs go through the journal: compaction keeps it small and loses no unreported result.</summary>
public sealed class JournalCompaction : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mesh-journal-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ManyAcknowledgedJobs_FileStaysSmall_UnreportedResultsSurvive()
    {
        const int jobs = 300;
        int[] unacknowledged = [10, 150, 299];
        const int interrupted = 5;
        using (var journal = Open())
        {
            for (var i = 0; i < jobs; i++)
            {
                var job = Job(i);
                Assert.True(journal.TryClaim(job.Ref, out _));
                await journal.StartedAsync(job).DefaultTimeout();
                if (i == interrupted)
                {
                    continue;
                }

                await journal.FinishedAsync(Delivered(job)).DefaultTimeout();
                if (!unacknowledged.Contains(i))
                {
                    journal.Acknowledged(job.Ref);
                }
            }
        }

        var length = new FileInfo(Path.Combine(_folder, AgentJournal.FileName)).Length;
        Assert.True(length < 8 * 1024, $"the journal has {length} bytes after {jobs} jobs");

        using var reopened = Open();
        var pending = reopened.Unacknowledged().Select(m => m.Result).ToDictionary(r => r.Ref.DeliveryId);
        Assert.Equal(["m_10", "m_150", "m_299", "m_5"], pending.Keys.Order());
        Assert.Equal(Outcome.Delivered, pending["m_10"].Recipients[0].Outcome);
        Assert.Equal(Outcome.PossiblyDelivered, pending["m_5"].Recipients[0].Outcome);
        Assert.False(reopened.TryClaim(Job(10).Ref, out var known));
        Assert.Equal(Outcome.Delivered, known!.Result.Recipients[0].Outcome);
        Assert.False(reopened.TryClaim(Job(interrupted).Ref, out _));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private AgentJournal Open() => new(
        Options.Create(new AgentOptions { JournalPath = _folder, JournalCompactBytes = 1024, JournalKeepFinished = TimeSpan.Zero }),
        TimeProvider.System,
        NullLogger<AgentJournal>.Instance);

    private static Job Job(int i) => new()
    {
        Ref = new JobRef { DeliveryId = $"m_{i}", Attempt = 1 },
        MailFrom = "hello@acme.example",
        RcptTo = { $"user{i}@example.net" },
    };

    private static AgentMessage Delivered(Job job) => new()
    {
        Result = new DeliveryResult
        {
            Ref = job.Ref,
            Recipients = { new RecipientResult { Recipient = job.RcptTo[0], Outcome = Outcome.Delivered, Details = new Events.V1.DeliveryDetails { SmtpCode = 250, Reply = "2.0.0 Ok: queued" } } },
        },
    };
}
