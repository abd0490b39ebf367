using Mesh.Admin.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Sign;

/// <summary>Adding a domain again answers with both records already published; the keys do not change.</summary>
public sealed class AddDomainTwice
{
    [Fact]
    public async Task AddDomain_SameDomainAgain_ReturnsSameRsaAndEd25519Records()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("twice.example").DefaultTimeout();

        var again = await stack.Admin.AddDomainAsync(
            new AddDomainRequest { TenantId = tenant.Id, Domain = "Twice.Example." }, MeshStack.AdminHeaders).ResponseAsync.DefaultTimeout();

        Assert.Equal(tenant.Dkim, again);
        Assert.EndsWith("r", again.DkimSelector);
        Assert.EndsWith("e", again.DkimEd25519Selector);
    }
}
