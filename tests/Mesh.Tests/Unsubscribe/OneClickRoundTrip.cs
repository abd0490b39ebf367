using System.Net;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;
using MimeKit;

namespace Mesh.Tests.Unsubscribe;

/// <summary>
/// Bulk mail carries RFC 8058 one-click unsubscribe headers under DKIM; a POST over real HTTP
/// suppresses the recipient for that list; later bulk sends are suppressed, transactional mail still goes.
/// </summary>
public sealed class OneClickRoundTrip
{
    [Fact]
    public async Task OneClickPost_SuppressesLaterBulkMailOnly()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await Infrastructure.SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var first = await SendAsync(tenant, bulk: true);
        await events.WaitForAsync(first, EventType.Delivered);
        var message = MimeMessage.Load(new MemoryStream(Assert.Single(receiver.Messages).Data));
        var header = message.Headers[HeaderId.ListUnsubscribe] ?? string.Empty;
        Assert.Matches(@"^<http://127\.0\.0\.1:\d+/unsubscribe/[^>]+>, <mailto:unsubscribe\+[^>]+@unsubscribe\.test>$", header);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers[HeaderId.ListUnsubscribePost]);
        var signedHeaders = message.Headers[HeaderId.DkimSignature] ?? string.Empty;
        Assert.Contains("list-unsubscribe:list-unsubscribe-post", signedHeaders.Replace(" ", string.Empty).Replace("\t", string.Empty).Replace("\r\n", string.Empty));
        Assert.True(DkimCheck.Verify(receiver.Messages[0].Data, tenant.Dkim.DkimSelector, tenant.Dkim.DkimRecordValue));
        var url = header[1..header.IndexOf('>')];

        using var http = new HttpClient();
        var forged = await http.PostAsync(url[..^3] + "AAA", new StringContent("List-Unsubscribe=One-Click")).DefaultTimeout();
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        var posted = await http.PostAsync(url, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")])).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var unsubscribed = await events.WaitForAsync(e => e.Type == EventType.Unsubscribed);
        Assert.Equal(("ana@example.net", "news"), (unsubscribed.Recipient, unsubscribed.List));

        var second = await SendAsync(tenant, bulk: true);
        var suppressed = await events.WaitForAsync(second, EventType.Suppressed);
        Assert.Equal("news", suppressed.List);
        var state = await tenant.Mail.GetMessageAsync(new GetMessageRequest { MessageId = second }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(MessageState.Suppressed, state.State);

        var transactional = await SendAsync(tenant, bulk: false);
        await events.WaitForAsync(transactional, EventType.Delivered);
        Assert.Equal(2, receiver.Messages.Count);
        Assert.Single(events.Seen, e => e.Type == EventType.Unsubscribed);
    }

    private static async Task<string> SendAsync(TestTenant tenant, bool bulk)
    {
        var request = Messages.Welcome("acme.example", "ana@example.net");
        request.Bulk = bulk;
        request.List = bulk ? "news" : string.Empty;
        var sent = await tenant.Mail.SendAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout();
        return sent.Deliveries[0].MessageId;
    }
}
