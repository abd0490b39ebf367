using Mesh.Agent;
using Mesh.Agent.Journal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Tests.Agent;

/// <summary>Two agents on one journal folder would each deliver what the other started: the second refuses to start.</summary>
public sealed class JournalFolderInUse : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mesh-journal-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void SecondJournalOnSameFolder_Refused_UntilFirstCloses()
    {
        using (Open())
        {
            var refused = Assert.Throws<InvalidOperationException>(Open);
            Assert.Contains("in use by another agent", refused.Message);
        }

        using var afterwards = Open();
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private AgentJournal Open() => new(Options.Create(new AgentOptions { JournalPath = _folder }), TimeProvider.System, NullLogger<AgentJournal>.Instance);
}
