using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>
/// The key lifecycle in order, with every message checked against the records in DNS: after a
/// rotation mail is still signed with the old selectors until VerifyDomain sees the new records;
/// then with the new ones (the old ones retire: RetireAfter is zero here); after a revocation the
/// next message no longer carries that selector. Each change is an event.
/// </summary>
public sealed class RotationAndRevocation
{
    [Theory]
    [InlineData(StoreKind.Redis)]
    [InlineData(StoreKind.Garnet)]
    public async Task RotateVerifyRevoke_InOrder_SignaturesFollowTheActiveSelectors(StoreKind store)
    {
        using var dns = LocalDnsServer.Start();
        await using var stack = await DomainDns.StartStackAsync(dns, store).DefaultTimeout();
        await using var receiver = await SmtpReceiver.StartAsync(System.Net.IPAddress.Loopback).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("rotate.example", testMode: false).DefaultTimeout();
        await stack.StartAgentAsync(tenant.AgentToken.Secret, DomainDns.AgentSource, receiver).DefaultTimeout();
        var first = await tenant.Domains.GetDomainAsync(new GetDomainRequest { Domain = "rotate.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        DomainDns.Publish(dns, first.Records);
        await VerifyAsync(tenant);
        var published = DomainDns.Dkim(first);
        string[] old = [tenant.Dkim.DkimSelector, tenant.Dkim.DkimEd25519Selector];

        Assert.Equal(old, await SendAndVerifyAsync(tenant, receiver, published));

        var rotated = await tenant.Domains.RotateKeysAsync(new RotateKeysRequest { Domain = "rotate.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        var pending = rotated.Records.Where(r => r.KeyState == KeyState.Pending).ToList();
        string[] next = [.. pending.Select(r => r.Selector)];
        Assert.Equal(2, next.Length);
        Assert.Empty(next.Intersect(old));
        Assert.All(pending, r => Assert.False(r.Required));

        // Not in DNS yet: the old keys keep signing, and a verify does not switch.
        Assert.Equal(old, await SendAndVerifyAsync(tenant, receiver, published));
        var early = await VerifyAsync(tenant);
        Assert.Empty(early.ActivatedSelectors);
        Assert.All(early.Checks.Where(c => c.Expected.KeyState == KeyState.Pending), c => Assert.Equal(CheckResult.Missing, c.Result));
        Assert.Equal(old, await SendAndVerifyAsync(tenant, receiver, published));

        // Published: the verify switches, and the next message is signed with the new selectors.
        DomainDns.Publish(dns, pending);
        foreach (var record in pending)
        {
            published[record.Selector] = record.Value;
        }

        var switched = await VerifyAsync(tenant);
        Assert.Equal(next.Order(), switched.ActivatedSelectors.Order());
        Assert.Equal(next, await SendAndVerifyAsync(tenant, receiver, published));
        // RetireAfter is zero: the old selectors are gone from the records to publish.
        Assert.Equal(next, switched.Domain.Records.Where(r => r.Purpose == RecordPurpose.Dkim).Select(r => r.Selector));

        var revoked = await tenant.Domains.RevokeSelectorAsync(new RevokeSelectorRequest { Domain = "rotate.example", Selector = next[0] }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal([next[0]], revoked.RevokedSelectors);
        Assert.Equal([next[1]], await SendAndVerifyAsync(tenant, receiver, published));

        var events = await DomainDns.DomainEventsUntilAsync(tenant, EventType.DkimKeyRevoked).DefaultTimeout();
        Assert.Equal(
            [EventType.DomainAdded, EventType.DomainVerified, EventType.DkimKeyRotated, EventType.DkimKeyActivated, EventType.DkimKeyRetired, EventType.DkimKeyRevoked],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("rotate.example", e.Domain));
        Assert.Equal(next, events[2].Selectors);
        Assert.Equal(next, events[3].Selectors);
        Assert.Equal(old, events[4].Selectors);
        Assert.Equal([next[0]], events[5].Selectors);
    }

    private static Task<VerifyDomainResponse> VerifyAsync(TestTenant tenant) =>
        tenant.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "rotate.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();

    /// <summary>Sends one message; returns the selectors it was signed with (RSA first), each verified against DNS.</summary>
    private static async Task<string[]> SendAndVerifyAsync(TestTenant tenant, SmtpReceiver receiver, Dictionary<string, string> published)
    {
        await tenant.Mail.SendAsync(Messages.Welcome("rotate.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var received = await receiver.NextMessageAsync(TestTimeouts.Default).DefaultTimeout();
        var results = DkimCheck.VerifyEach(received.Data, published);
        Assert.All(results, r => Assert.True(r.Verified, $"{r.Algorithm} signature with s={r.Selector} must verify against DNS"));
        return [.. results.OrderBy(r => r.Algorithm == "rsa-sha256" ? 0 : 1).Select(r => r.Selector)];
    }
}
