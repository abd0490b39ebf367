using System.Net;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Sign;

/// <summary>
/// Every message leaves with two DKIM signatures, rsa-sha256 and ed25519-sha256 (RFC 8463), and each
/// verifies after a real SMTP round trip against the TXT record AddDomain told the customer to publish.
/// </summary>
public sealed class DualSignatures
{
    [Theory]
    [InlineData(StoreKind.Redis)]
    [InlineData(StoreKind.Garnet)]
    public async Task Send_AgentDelivers_RsaAndEd25519SignaturesBothVerify(StoreKind store)
    {
        await using var stack = await MeshStack.StartAsync(store).DefaultTimeout();
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("dual.example").DefaultTimeout();
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver).DefaultTimeout();

        await tenant.Mail.SendAsync(Messages.Welcome("dual.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var received = await receiver.NextMessageAsync(TestTimeouts.Default);

        var dkim = tenant.Dkim;
        Assert.NotEqual(dkim.DkimSelector, dkim.DkimEd25519Selector);
        Assert.Equal($"{dkim.DkimEd25519Selector}._domainkey.dual.example", dkim.DkimEd25519RecordName);
        Assert.StartsWith("v=DKIM1; k=ed25519; p=", dkim.DkimEd25519RecordValue);
        Assert.StartsWith("v=DKIM1; k=rsa; p=", dkim.DkimRecordValue);

        var results = DkimCheck.VerifyEach(received.Data, dkim);
        Assert.Equal(2, results.Count);
        var rsa = Assert.Single(results, r => r.Algorithm == "rsa-sha256");
        var ed = Assert.Single(results, r => r.Algorithm == "ed25519-sha256");
        Assert.Equal(dkim.DkimSelector, rsa.Selector);
        Assert.Equal(dkim.DkimEd25519Selector, ed.Selector);
        foreach (var signature in results)
        {
            Assert.True(signature.Verified, $"{signature.Algorithm} signature must verify");
            Assert.Equal("dual.example", signature.Tags["d"]);
            Assert.Equal("relaxed/relaxed", signature.Tags["c"]);
            Assert.False(signature.Tags.ContainsKey("l"), "a body length limit lets anyone append content");
            Assert.False(signature.Tags.ContainsKey("x"), "no lifetime is configured");
            var signed = signature.Tags["h"].Split(':');
            Assert.Equal(2, signed.Count(h => h == "from"));
            Assert.Superset(
                new HashSet<string> { "to", "subject", "date", "message-id", "mime-version", "content-type", "list-unsubscribe", "list-unsubscribe-post" },
                signed.ToHashSet());
        }
    }
}
