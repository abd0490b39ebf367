using System.Globalization;
using System.Net;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Sign;

/// <summary>Mesh:Sign:SignatureLifetime puts x= = t= + lifetime on both signatures (RFC 6376 §3.5); never l=.</summary>
public sealed class SignatureExpiry
{
    [Fact]
    public async Task Sign_LifetimeConfigured_BothSignaturesCarryExpiryAndNoLength()
    {
        var lifetime = TimeSpan.FromDays(3);
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet, new Dictionary<string, string?>
        {
            ["Mesh:Sign:SignatureLifetime"] = lifetime.ToString("c", CultureInfo.InvariantCulture),
        }).DefaultTimeout();
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("expiry.example").DefaultTimeout();
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver).DefaultTimeout();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await tenant.Mail.SendAsync(Messages.Welcome("expiry.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var received = await receiver.NextMessageAsync(TestTimeouts.Default);

        var results = DkimCheck.VerifyEach(received.Data, tenant.Dkim);
        Assert.Equal(2, results.Count);
        foreach (var signature in results)
        {
            Assert.True(signature.Verified, $"{signature.Algorithm} must verify before it expires");
            var signedAt = long.Parse(signature.Tags["t"], CultureInfo.InvariantCulture);
            var expires = long.Parse(signature.Tags["x"], CultureInfo.InvariantCulture);
            Assert.InRange(signedAt, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
            Assert.Equal((long)lifetime.TotalSeconds, expires - signedAt);
            Assert.False(signature.Tags.ContainsKey("l"));
        }
    }
}
