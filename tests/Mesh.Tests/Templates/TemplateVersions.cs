using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Templates;

/// <summary>Create, update, publish, send by published or by version, test-render, list and delete.</summary>
public sealed class TemplateVersions
{
    [Fact]
    public async Task SendByTemplate_PublishedAndPinnedVersions_DeliverTheirOwnContent()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await Infrastructure.SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        var client = new Gateway.V1.Templates.TemplatesClient(stack.Channel);
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var v1 = await client.CreateTemplateAsync(new CreateTemplateRequest
        {
            Name = "welcome",
            Content = new Content { Subject = "V1 for {{name}}", Text = "first {{name}}" },
            Publish = true,
        }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal((1u, 1u, 1u), (v1.Version, v1.LatestVersion, v1.PublishedVersion));
        var v2 = await client.UpdateTemplateAsync(new UpdateTemplateRequest
        {
            Name = "welcome",
            Content = new Content { Subject = "V2 for {{name}}", Text = "second {{name}}" },
        }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal((2u, 2u, 1u), (v2.Version, v2.LatestVersion, v2.PublishedVersion));

        var published = await SendAsync(tenant, new TemplateRef { Name = "welcome" });
        Assert.Contains("Subject: V1 for ana", Text(await receiver.NextMessageAsync(TestTimeouts.Default)));
        var pinned = await SendAsync(tenant, new TemplateRef { Name = "welcome", Version = 2 });
        Assert.Contains("Subject: V2 for ana", Text(await receiver.NextMessageAsync(TestTimeouts.Default)));
        await events.WaitForAsync(published, EventType.Delivered);
        await events.WaitForAsync(pinned, EventType.Delivered);

        // Publishing v2 changes what Send uses by default.
        var republished = await client.PublishVersionAsync(new PublishVersionRequest { Name = "welcome", Version = 2 }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(2u, republished.PublishedVersion);
        var rendered = await client.TestRenderAsync(new TestRenderRequest
        {
            Template = new TemplateRef { Name = "welcome" },
            From = new Address { Email = "hello@acme.example" },
            To = new Address { Email = "bob@example.net" },
            Variables = new Struct { Fields = { ["name"] = Value.ForString("Bob") } },
        }, tenant.Headers).ResponseAsync.DefaultTimeout();
        var mime = MimeKit.MimeMessage.Load(new MemoryStream(rendered.Mime.ToByteArray()));
        Assert.Equal("V2 for Bob", mime.Subject);
        Assert.Equal("second Bob", mime.TextBody?.Trim());

        var list = await client.ListTemplatesAsync(new ListTemplatesRequest(), tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(["welcome"], list.Templates.Select(t => t.Name));
        await client.DeleteTemplateAsync(new DeleteTemplateRequest { Name = "welcome" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        var gone = await Assert.ThrowsAsync<RpcException>(() => SendAsync(tenant, new TemplateRef { Name = "welcome" }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal(2, receiver.Messages.Count);
    }

    private static async Task<string> SendAsync(TestTenant tenant, TemplateRef template)
    {
        var request = Messages.Welcome("acme.example", "ana@example.net");
        request.Content = null;
        request.Template = template;
        var sent = await tenant.Mail.SendAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout();
        return sent.Deliveries[0].MessageId;
    }

    private static string Text(Infrastructure.ReceivedMessage message) => System.Text.Encoding.UTF8.GetString(message.Data);
}
