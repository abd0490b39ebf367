using Mesh.Schedule.V1;

namespace Mesh.Tests.Delivery;

/// <summary>Under MTA-STS enforce, an MX the policy does not name is never used: deferred.</summary>
public sealed class MtaStsEnforceMxNotInPolicy
{
    [Fact]
    public async Task Deliver_NoMxMatchesPolicy_DeferredWithoutConnecting()
    {
        await using var site = await MtaStsFixture.StartAsync("enforce", "*.other-provider.example");
        await using var engine = site.Engine();

        var result = Assert.Single(await engine.DeliverAsync(Engine.Message("ana@example.net"), CancellationToken.None).DefaultTimeout());

        Assert.Equal(Outcome.Deferred, result.Outcome);
        Assert.Contains("no MX of example.net matches", result.Details.Reply);
        Assert.Equal(0, site.Mx.Messages);
    }
}
