using Mesh.Schedule.V1;

namespace Mesh.Tests.Delivery;

/// <summary>
/// Under an MTA-STS enforce policy, an MX whose certificate is not valid gets nothing: a deferral,
/// never plaintext. Under testing mode the same MX is used (the policy only reports).
/// </summary>
public sealed class MtaStsEnforceUntrustedCertificate
{
    [Theory]
    [InlineData("enforce", Outcome.Deferred)]
    [InlineData("testing", Outcome.Delivered)]
    public async Task Deliver_MxCertificateUntrusted_DependsOnPolicyMode(string mode, Outcome expected)
    {
        await using var site = await MtaStsFixture.StartAsync(mode, "mx.example.net");
        await using var engine = site.Engine();

        var result = Assert.Single(await engine.DeliverAsync(Engine.Message("ana@example.net"), CancellationToken.None).DefaultTimeout());

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(expected == Outcome.Delivered ? 1 : 0, site.Mx.Messages);
        if (expected == Outcome.Deferred)
        {
            Assert.Contains("MTA-STS enforce", result.Details.Reply);
        }
        else
        {
            Assert.NotEmpty(result.Details.TlsProtocol);
        }
    }
}
