using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.V1;
using Mesh.Tests.Infrastructure;
using StackExchange.Redis;

namespace Mesh.Tests.EndToEnd;

/// <summary>Each bad Send gets INVALID_ARGUMENT with google.rpc.BadRequest naming the field, and stores nothing.</summary>
public sealed class BadInput : IAsyncLifetime
{
    private MeshStack _stack = null!;
    private TestTenant _tenant = null!;
    private ConnectionMultiplexer _redis = null!;

    public static TheoryData<string, string> Cases => new()
    {
        { "malformed recipient", "to[0].address.email" },
        { "no recipients", "to" },
        { "CR LF in subject", "content.subject" },
        { "CR LF in header value", "headers[X-Campaign]" },
        { "CR LF in display name", "from.name" },
        { "unknown sending domain", "from.email" },
        { "reserved header", "headers[DKIM-Signature]" },
        { "reserved Return-Path", "headers[Return-Path]" },
        { "malformed sender", "from.email" },
        { "no body", "content" },
        { "over 1000 recipients", "to" },
        { "content over the size limit", "content" },
        { "CR LF in attachment name", "content.attachments[0].filename" },
        { "too many tags", "tags" },
    };

    public async Task InitializeAsync()
    {
        _stack = await MeshStack.StartAsync(StoreKind.Redis, new Dictionary<string, string?> { ["Mesh:Gateway:MaxContentBytes"] = "100000" });
        _tenant = await _stack.CreateTenantAsync("acme.example");
        _redis = await ConnectionMultiplexer.ConnectAsync(_stack.Redis!.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _stack.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Send_BadInput_InvalidArgumentNamingFieldAndNothingStored(string scenario, string field)
    {
        var before = TenantKeys();
        var request = Messages.Welcome("acme.example", "ana@example.net");
        switch (scenario)
        {
            case "malformed recipient": request.To[0].Address.Email = "ana.example.net"; break;
            case "no recipients": request.To.Clear(); break;
            case "CR LF in subject": request.Content.Subject = "Hi\r\nBcc: victim@example.org"; break;
            case "CR LF in header value": request.Headers["X-Campaign"] = "spring\r\nBcc: victim@example.org"; break;
            case "CR LF in display name": request.From.Name = "Mesh\nBcc: x@example.org"; break;
            case "unknown sending domain": request.From.Email = "hello@not-ours.example"; break;
            case "reserved header": request.Headers["DKIM-Signature"] = "v=1; forged"; break;
            case "reserved Return-Path": request.Headers["Return-Path"] = "<bounce@evil.example>"; break;
            case "malformed sender": request.From.Email = "hello@@acme.example"; break;
            case "no body": request.Content.Html = string.Empty; break;
            case "over 1000 recipients":
                request.To.AddRange(Enumerable.Range(0, 1000).Select(i => new Recipient { Address = new Address { Email = $"r{i}@example.net" } }));
                break;
            case "content over the size limit": request.Content.Html = new string('x', 200_000); break;
            case "CR LF in attachment name":
                request.Content.Attachments.Add(new Attachment { Filename = "a\r\nb.pdf", ContentType = "application/pdf" });
                break;
            case "too many tags": request.Tags.AddRange(Enumerable.Range(0, 11).Select(i => $"t{i}")); break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => _tenant.Mail.SendAsync(request, _tenant.Headers).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var badRequest = error.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(badRequest.FieldViolations, v => v.Field == field);
        Assert.Equal(before, TenantKeys());
    }

    [Fact]
    public async Task Send_ManyBadFields_AllNamedAtOnce()
    {
        var request = Messages.Welcome("acme.example", "bad", "also bad");
        request.Content.Subject = string.Empty;
        var error = await Assert.ThrowsAsync<RpcException>(() => _tenant.Mail.SendAsync(request, _tenant.Headers).ResponseAsync.DefaultTimeout());
        var fields = error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field).ToList();
        Assert.Equal(["to[0].address.email", "to[1].address.email", "content.subject"], fields);
    }

    private List<string> TenantKeys() =>
        _redis.GetServers()[0].Keys(pattern: $"{{t:{_tenant.Id}}}:*").Select(k => (string)k!).Order(StringComparer.Ordinal).ToList();
}
