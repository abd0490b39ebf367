using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Templates;

/// <summary>The template sandbox: runaway loops and output bombs stop at their limits; only variables are reachable.</summary>
public sealed class Sandbox : IAsyncLifetime
{
    private MeshStack _stack = null!;
    private TestTenant _tenant = null!;
    private Gateway.V1.Templates.TemplatesClient _client = null!;

    public async Task InitializeAsync()
    {
        _stack = await MeshStack.StartAsync(StoreKind.Garnet, new Dictionary<string, string?>
        {
            ["Mesh:Render:MaxSteps"] = "5000",
            ["Mesh:Render:MaxOutputChars"] = "100000",
        });
        _tenant = await _stack.CreateTenantAsync("acme.example");
        _client = new Gateway.V1.Templates.TemplatesClient(_stack.Channel);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task TestRender_RunawayLoop_StoppedAtStepLimit()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => RenderAsync(
            "{% for i in (1..1000) %}{% for j in (1..1000) %}{% endfor %}{% endfor %}done", new Struct()));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("5000 steps", error.Status.Detail);
    }

    [Fact]
    public async Task TestRender_OutputBomb_StoppedAtOutputLimit()
    {
        var variables = new Struct { Fields = { ["big"] = Value.ForString(new string('x', 10_000)) } };
        var error = await Assert.ThrowsAsync<RpcException>(() => RenderAsync("{% for i in (1..500) %}{{ big }}{% endfor %}", variables));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("output size of 100000", error.Status.Detail);
    }

    [Fact]
    public async Task TestRender_DotNetMembersOfVariables_NotReachable()
    {
        var variables = new Struct { Fields = { ["name"] = Value.ForString("Ana"), ["list"] = Value.ForList(Value.ForNumber(1)) } };
        var mime = await RenderAsync("[{{ name }}][{{ name.GetType }}][{{ list.GetType.Assembly }}][{{ list.Capacity }}]", variables);
        Assert.Contains("[Ana][][][]", MimeKit.MimeMessage.Load(new MemoryStream(mime)).TextBody);
    }

    private async Task<byte[]> RenderAsync(string text, Struct variables)
    {
        var response = await _client.TestRenderAsync(new TestRenderRequest
        {
            Content = new Content { Subject = "sandbox", Text = text },
            From = new Address { Email = "hello@acme.example" },
            To = new Address { Email = "ana@example.net" },
            Variables = variables,
        }, _tenant.Headers).ResponseAsync.DefaultTimeout();
        return response.Mime.ToByteArray();
    }
}
