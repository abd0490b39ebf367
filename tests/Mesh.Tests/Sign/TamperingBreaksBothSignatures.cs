using System.Net;
using System.Text;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Sign;

/// <summary>A change to a signed header or to the body after signing breaks the RSA and the Ed25519 signature alike.</summary>
public sealed class TamperingBreaksBothSignatures
{
    [Fact]
    public async Task Verify_SignedHeaderOrBodyChanged_BothSignaturesFail()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet).DefaultTimeout();
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("tamper.example").DefaultTimeout();
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver).DefaultTimeout();
        await tenant.Mail.SendAsync(Messages.Welcome("tamper.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var received = await receiver.NextMessageAsync(TestTimeouts.Default);
        var text = Encoding.ASCII.GetString(received.Data);
        Assert.All(DkimCheck.VerifyEach(received.Data, tenant.Dkim), r => Assert.True(r.Verified));

        string[] tampered =
        [
            text.Replace("Subject: Welcome, ana", "Subject: Welcome, eve"),
            text.Replace("1234", "9999"),
            // From is oversigned: a second From header must not verify either.
            text.Replace("From: ", "From: Eve <eve@evil.example>\r\nFrom: "),
            // List-Unsubscribe is signed even when absent, so it cannot be added afterwards.
            text.Replace("Subject: ", "List-Unsubscribe: <https://evil.example/u>\r\nSubject: "),
        ];
        foreach (var changed in tampered)
        {
            Assert.NotEqual(text, changed);
            var results = DkimCheck.VerifyEach(Encoding.ASCII.GetBytes(changed), tenant.Dkim);
            Assert.Equal(["ed25519-sha256", "rsa-sha256"], results.Select(r => r.Algorithm).Order());
            Assert.All(results, r => Assert.False(r.Verified, $"{r.Algorithm} must fail after tampering"));
        }
    }
}
