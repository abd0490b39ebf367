using Mesh.Agent;
using Mesh.Agent.Journal;
using Mesh.Agent.V1;
using Mesh.Schedule.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Tests.Agent;

/// <summary>A crash in the middle of an append leaves a torn last line: it is dropped, nothing before it is lost.</summary>
public sealed class JournalTornTail : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mesh-journal-" + Guid.NewGuid().ToString("N"));

    private string FilePath => Path.Combine(_folder, AgentJournal.FileName);

    [Fact]
    public async Task TornLastLine_Dropped_EarlierResultKept()
    {
        var job = new Job { Ref = new JobRef { DeliveryId = "m_1", Attempt = 2 }, MailFrom = "hello@acme.example", RcptTo = { "ana@example.net" } };
        using (var journal = Open())
        {
            Assert.True(journal.TryClaim(job.Ref, out _));
            await journal.StartedAsync(job).DefaultTimeout();
            await journal.FinishedAsync(new AgentMessage
            {
                Result = new DeliveryResult { Ref = job.Ref, Recipients = { new RecipientResult { Recipient = "ana@example.net", Outcome = Outcome.Bounced } } },
            }).DefaultTimeout();
        }

        await File.AppendAllTextAsync(FilePath, "{\"k\":\"start\",\"id\":\"m_2\",\"a\":1,\"rc").DefaultTimeout();

        using (var reopened = Open())
        {
            var result = Assert.Single(reopened.Unacknowledged()).Result;
            Assert.Equal(Outcome.Bounced, result.Recipients[0].Outcome);
            // The torn job was never started as far as the journal knows; it may run.
            Assert.True(reopened.TryClaim(new JobRef { DeliveryId = "m_2", Attempt = 1 }, out _));
        }

        Assert.EndsWith("\n", await File.ReadAllTextAsync(FilePath).DefaultTimeout());
    }

    [Fact]
    public async Task DamageBeforeGoodEntries_RefusesToOpen()
    {
        using (var journal = Open())
        {
            var job = new Job { Ref = new JobRef { DeliveryId = "m_1", Attempt = 1 }, RcptTo = { "ana@example.net" } };
            journal.TryClaim(job.Ref, out _);
            await journal.StartedAsync(job).DefaultTimeout();
        }

        var good = await File.ReadAllTextAsync(FilePath).DefaultTimeout();
        await File.WriteAllTextAsync(FilePath, "garbage\n" + good).DefaultTimeout();

        Assert.Throws<InvalidDataException>(Open);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private AgentJournal Open() => new(
        Options.Create(new AgentOptions { JournalPath = _folder }),
        TimeProvider.System,
        NullLogger<AgentJournal>.Instance);
}
