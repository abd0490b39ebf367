using Grpc.Core;
using Mesh.Admin.V1;
using Mesh.Agent.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.EndToEnd;

/// <summary>Unknown or revoked credentials are refused with UNAUTHENTICATED; an unsupported agent protocol is refused clearly.</summary>
public sealed class Authentication : IAsyncLifetime
{
    private MeshStack _stack = null!;
    private TestTenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _stack = await MeshStack.StartAsync(StoreKind.Garnet);
        _tenant = await _stack.CreateTenantAsync("acme.example");
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("mk_not-a-real-key")]
    public async Task Send_UnknownOrMissingApiKey_Unauthenticated(string? key)
    {
        var headers = key is null ? new Metadata() : new Metadata { { "authorization", "Bearer " + key } };
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _tenant.Mail.SendAsync(Messages.Welcome("acme.example"), headers).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Connect_UnknownAgentToken_Unauthenticated()
    {
        await using var agent = await RawAgent.ConnectAsync(_stack, "mat_unknown", "intruder", credits: 1);
        var error = await Assert.ThrowsAsync<RpcException>(agent.ReadAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Connect_RevokedAgentToken_Unauthenticated()
    {
        await using (var before = await RawAgent.ConnectAsync(_stack, _tenant.AgentToken.Secret, "agent", credits: 1))
        {
            Assert.Equal(DispatchMessage.KindOneofCase.Welcome, (await before.ReadAsync()).KindCase);
        }

        await _stack.Admin.RevokeAgentTokenAsync(new RevokeAgentTokenRequest { Id = _tenant.AgentToken.Id }, MeshStack.AdminHeaders).ResponseAsync.DefaultTimeout();

        await using var after = await RawAgent.ConnectAsync(_stack, _tenant.AgentToken.Secret, "agent", credits: 1);
        var error = await Assert.ThrowsAsync<RpcException>(after.ReadAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Connect_UnsupportedProtocolVersion_FailedPreconditionNamingVersions()
    {
        await using var agent = await RawAgent.ConnectAsync(_stack, _tenant.AgentToken.Secret, "future", credits: 1, protocolVersion: 9);
        var error = await Assert.ThrowsAsync<RpcException>(agent.ReadAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("version 9", error.Status.Detail);
        Assert.Contains("version 1", error.Status.Detail);
    }

    [Fact]
    public async Task Admin_WrongAdminKey_Unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _stack.Admin.CreateTenantAsync(
            new CreateTenantRequest { Name = "x" }, new Metadata { { "authorization", "Bearer wrong" } }).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task AddDomain_DomainOfAnotherTenant_AlreadyExistsAndUnchanged()
    {
        var other = await _stack.Admin.CreateTenantAsync(new CreateTenantRequest { Name = "other" }, MeshStack.AdminHeaders).ResponseAsync.DefaultTimeout();
        var error = await Assert.ThrowsAsync<RpcException>(() => _stack.Admin.AddDomainAsync(
            new Mesh.Admin.V1.AddDomainRequest { TenantId = other.TenantId, Domain = "ACME.example" }, MeshStack.AdminHeaders).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);

        // The owner can still send from it.
        var sent = await _tenant.Mail.SendAsync(Messages.Welcome("acme.example"), _tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Single(sent.Deliveries);
    }
}
