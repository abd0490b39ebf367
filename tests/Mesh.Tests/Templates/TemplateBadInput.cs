using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Templates;

/// <summary>Template errors get a clear status and store nothing.</summary>
public sealed class TemplateBadInput : IAsyncLifetime
{
    private MeshStack _stack = null!;
    private TestTenant _tenant = null!;
    private Gateway.V1.Templates.TemplatesClient _client = null!;

    public async Task InitializeAsync()
    {
        _stack = await MeshStack.StartAsync(StoreKind.Garnet);
        _tenant = await _stack.CreateTenantAsync("acme.example");
        _client = new Gateway.V1.Templates.TemplatesClient(_stack.Channel);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task CreateTemplate_SyntaxError_InvalidArgumentWithLineAndColumn()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.CreateTemplateAsync(new CreateTemplateRequest
        {
            Name = "broken",
            Content = new Content { Subject = "ok", Html = "<p>line one</p>\n<p>{{name</p>" },
        }, _tenant.Headers).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("content.html", violation.Field);
        Assert.Matches(@"line \d+, column \d+", violation.Description);

        var list = await _client.ListTemplatesAsync(new ListTemplatesRequest(), _tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Empty(list.Templates);
    }

    [Fact]
    public async Task Send_InlineSyntaxError_InvalidArgumentNamingField()
    {
        var request = Messages.Welcome("acme.example");
        request.Content.Subject = "Hi {{#if vip}}VIP";
        var error = await Assert.ThrowsAsync<RpcException>(() => _tenant.Mail.SendAsync(request, _tenant.Headers).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == "content.subject");
    }

    [Fact]
    public async Task Send_UnknownTemplate_NotFound()
    {
        var request = Messages.Welcome("acme.example");
        request.Content = null;
        request.Template = new TemplateRef { Name = "nope" };
        var error = await Assert.ThrowsAsync<RpcException>(() => _tenant.Mail.SendAsync(request, _tenant.Headers).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Send_ContentAndTemplateBoth_InvalidArgument()
    {
        var request = Messages.Welcome("acme.example");
        request.Template = new TemplateRef { Name = "welcome" };
        var error = await Assert.ThrowsAsync<RpcException>(() => _tenant.Mail.SendAsync(request, _tenant.Headers).ResponseAsync.DefaultTimeout());
        Assert.Contains(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == "content");
    }

    [Fact]
    public async Task CreateTemplate_ExistingName_AlreadyExistsAndFirstVersionKept()
    {
        var content = new Content { Subject = "first", Text = "one" };
        await _client.CreateTemplateAsync(new CreateTemplateRequest { Name = "dup", Content = content }, _tenant.Headers).ResponseAsync.DefaultTimeout();
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.CreateTemplateAsync(
            new CreateTemplateRequest { Name = "dup", Content = new Content { Subject = "second", Text = "two" } }, _tenant.Headers).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        var stored = await _client.GetTemplateAsync(new GetTemplateRequest { Name = "dup" }, _tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal((1u, "first"), (stored.LatestVersion, stored.Content.Subject));
    }

    [Fact]
    public async Task GetTemplate_OtherTenantsTemplate_NotFound()
    {
        await _client.CreateTemplateAsync(new CreateTemplateRequest { Name = "mine", Content = new Content { Subject = "s", Text = "t" } }, _tenant.Headers).ResponseAsync.DefaultTimeout();
        var other = await _stack.CreateTenantAsync("other.example");
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.GetTemplateAsync(new GetTemplateRequest { Name = "mine" }, other.Headers).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}
