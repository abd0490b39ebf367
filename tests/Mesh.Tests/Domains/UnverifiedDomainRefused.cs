using Grpc.Core;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>
/// A tenant not in test mode cannot send from a domain whose DKIM records have not been seen:
/// Send, SendBatch and TestRender answer FAILED_PRECONDITION and nothing is stored. Once VerifyDomain
/// sees the records, the same Send is accepted.
/// </summary>
public sealed class UnverifiedDomainRefused
{
    [Fact]
    public async Task Send_DomainNotVerified_FailedPreconditionUntilVerified()
    {
        using var dns = LocalDnsServer.Start();
        await using var stack = await DomainDns.StartStackAsync(dns).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("unverified.example", testMode: false).DefaultTimeout();
        var templates = new Gateway.V1.Templates.TemplatesClient(stack.Channel);
        var request = Messages.Welcome("unverified.example");

        var send = await Assert.ThrowsAsync<RpcException>(() => tenant.Mail.SendAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout());
        var batch = await Assert.ThrowsAsync<RpcException>(() => tenant.Mail.SendBatchAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout());
        var render = await Assert.ThrowsAsync<RpcException>(() => templates.TestRenderAsync(new TestRenderRequest
        {
            From = request.From,
            To = request.To[0].Address,
            Content = request.Content,
        }, tenant.Headers).ResponseAsync.DefaultTimeout());

        foreach (var error in new[] { send, batch, render })
        {
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.Contains("unverified.example is not verified", error.Status.Detail);
        }

        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(stack.Redis!.ConnectionString).DefaultTimeout();
        Assert.Equal(0, await redis.GetDatabase().SortedSetLengthAsync(Store.Keys.Schedule(tenant.Id)).DefaultTimeout());
        Assert.Equal(0, await redis.GetDatabase().ListLengthAsync(Store.Keys.Ready(tenant.Id)).DefaultTimeout());

        var domain = await tenant.Domains.GetDomainAsync(new GetDomainRequest { Domain = "unverified.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        DomainDns.Publish(dns, domain.Records.Where(r => r.Purpose == RecordPurpose.Dkim));
        var verified = await tenant.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "unverified.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(DomainStatus.Verified, verified.Domain.Status);

        var sent = await tenant.Mail.SendAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Single(sent.Deliveries);
    }
}
