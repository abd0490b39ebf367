using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>
/// Bad domain calls each get a clear status and change nothing: a malformed name, a domain another
/// tenant owns, a selector clash, a second rotation while one is pending, an unknown domain or selector.
/// </summary>
public sealed class DomainBadInput : IAsyncLifetime
{
    private readonly LocalDnsServer _dns = LocalDnsServer.Start();
    private MeshStack _stack = null!;
    private TestTenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _stack = await DomainDns.StartStackAsync(_dns, StoreKind.Garnet).DefaultTimeout();
        _tenant = await _stack.CreateTenantAsync("mine.example", testMode: false).DefaultTimeout();
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _dns.Dispose();
    }

    [Theory]
    [InlineData("not a domain")]
    [InlineData("localhost")]
    [InlineData("bad_label.example")]
    [InlineData("")]
    public async Task AddDomain_InvalidName_InvalidArgumentNamingDomain(string name)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => AddAsync(name));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("domain", violation.Field);
    }

    [Fact]
    public async Task AddDomain_OwnedByAnotherTenant_AlreadyExistsAndOwnerUnchanged()
    {
        var other = await _stack.CreateTenantAsync("theirs.example").DefaultTimeout();
        var before = await GetAsync("mine.example");

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            other.Domains.AddDomainAsync(new AddDomainRequest { Domain = "MINE.example" }, other.Headers).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Equal(before, await GetAsync("mine.example"));
    }

    [Fact]
    public async Task AddDomain_AddedAgain_SameRecords()
    {
        var before = await GetAsync("mine.example");

        var again = await AddAsync("mine.example");

        Assert.Equal(before, again);
    }

    [Fact]
    public async Task RotateKeys_TwiceOnOneDay_NewSelectorsNeverReused()
    {
        var rotated = await RotateAsync(string.Empty);
        var firstPending = Pending(rotated);
        // The first rotation on the day the domain was added: that day's selectors are taken.
        Assert.Equal(_tenant.Dkim.DkimSelector[..^1] + "-2r", firstPending[0]);
        DomainDns.Publish(_dns, rotated.Records.Where(r => r.Purpose == RecordPurpose.Dkim));
        await _tenant.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "mine.example" }, _tenant.Headers).ResponseAsync.DefaultTimeout();

        var again = await RotateAsync(string.Empty);

        var secondPending = Pending(again);
        Assert.Equal(2, secondPending.Length);
        Assert.Empty(secondPending.Intersect(firstPending));
        Assert.DoesNotContain(_tenant.Dkim.DkimSelector, secondPending);
        Assert.EndsWith("-3r", secondPending[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateKeys_WhileRotationPending_FailedPreconditionAndUnchanged()
    {
        var rotated = await RotateAsync("spring");

        var error = await Assert.ThrowsAsync<RpcException>(() => RotateAsync("summer"));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(rotated, await GetAsync("mine.example"));
    }

    [Fact]
    public async Task RotateKeys_SelectorUsedBefore_AlreadyExistsAndUnchanged()
    {
        var before = await GetAsync("mine.example");
        var used = _tenant.Dkim.DkimSelector[..^1];

        var error = await Assert.ThrowsAsync<RpcException>(() => RotateAsync(used));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Equal(before, await GetAsync("mine.example"));
    }

    [Fact]
    public async Task RotateKeys_MalformedSelectorPrefix_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => RotateAsync("Bad.Prefix"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("selector_prefix", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }

    [Fact]
    public async Task DomainCalls_UnknownDomain_NotFound()
    {
        var get = await Assert.ThrowsAsync<RpcException>(() => GetAsync("nobody.example"));
        var verify = await Assert.ThrowsAsync<RpcException>(() =>
            _tenant.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "nobody.example" }, _tenant.Headers).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        Assert.Equal(StatusCode.NotFound, verify.StatusCode);
    }

    [Fact]
    public async Task RevokeSelector_UnknownSelector_NotFoundAndUnchanged()
    {
        var before = await GetAsync("mine.example");

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _tenant.Domains.RevokeSelectorAsync(new RevokeSelectorRequest { Domain = "mine.example", Selector = "nosuch" }, _tenant.Headers).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(before, await GetAsync("mine.example"));
    }

    private Task<Gateway.V1.Domain> AddAsync(string domain) =>
        _tenant.Domains.AddDomainAsync(new AddDomainRequest { Domain = domain }, _tenant.Headers).ResponseAsync.DefaultTimeout();

    private Task<Gateway.V1.Domain> GetAsync(string domain) =>
        _tenant.Domains.GetDomainAsync(new GetDomainRequest { Domain = domain }, _tenant.Headers).ResponseAsync.DefaultTimeout();

    private Task<Gateway.V1.Domain> RotateAsync(string prefix) =>
        _tenant.Domains.RotateKeysAsync(new RotateKeysRequest { Domain = "mine.example", SelectorPrefix = prefix }, _tenant.Headers).ResponseAsync.DefaultTimeout();

    private static string[] Pending(Gateway.V1.Domain domain) =>
        [.. domain.Records.Where(r => r.KeyState == KeyState.Pending).Select(r => r.Selector)];
}
