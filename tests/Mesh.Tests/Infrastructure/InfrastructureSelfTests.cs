using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using StackExchange.Redis;

namespace Mesh.Tests.Infrastructure;

/// <summary>Proves the test infrastructure itself works before other tests rely on it.</summary>
public sealed class InfrastructureSelfTests
{
    private static readonly IPAddress ReceiverAddress = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress SenderAddress = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task RedisServer_SetThenGet_ReturnsValue()
    {
        await using var redis = await RedisServer.StartAsync().DefaultTimeout();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString).DefaultTimeout();
        var db = connection.GetDatabase();

        Assert.True(await db.StringSetAsync("self-test", "hello").DefaultTimeout());

        Assert.Equal("hello", (string?)await db.StringGetAsync("self-test").DefaultTimeout());
        Assert.Equal($"127.0.0.1:{redis.Port}", redis.ConnectionString);
    }

    [Fact]
    public async Task RedisServer_RestartAfterKill_KeepsFsyncedWrites()
    {
        await using var redis = await RedisServer.StartAsync().DefaultTimeout();
        await using (var before = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString).DefaultTimeout())
        {
            await before.GetDatabase().StringSetAsync("durable", "yes").DefaultTimeout();
        }

        await redis.RestartAsync().DefaultTimeout();

        await using var after = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString).DefaultTimeout();
        Assert.Equal("yes", (string?)await after.GetDatabase().StringGetAsync("durable").DefaultTimeout());
    }

    [Fact]
    public async Task RedisServer_Dispose_DeletesDirectory()
    {
        var redis = await RedisServer.StartAsync().DefaultTimeout();
        Assert.True(Directory.Exists(redis.Directory));

        await redis.DisposeAsync().AsTask().DefaultTimeout();

        Assert.False(Directory.Exists(redis.Directory));
    }

    [Fact]
    public async Task SmtpReceiver_MessageFromBoundSocket_RecordsSourceAddressAndReply()
    {
        await using var receiver = await SmtpReceiver.StartAsync(ReceiverAddress).DefaultTimeout();
        using var client = await ConnectFromAsync(SenderAddress, receiver).DefaultTimeout();

        var response = await client.SendAsync(CreateMessage("alice@example.test")).DefaultTimeout();

        var received = await receiver.NextMessageAsync(TestTimeouts.Default).DefaultTimeout();
        Assert.Equal(SenderAddress, received.Remote.Address);
        Assert.Equal("sender@mesh.test", received.MailFrom);
        Assert.Equal(["alice@example.test"], received.RcptTo);
        Assert.Contains("Subject: self-test", Encoding.ASCII.GetString(received.Data), StringComparison.Ordinal);
        Assert.Equal(250, received.Reply.Code);
        Assert.StartsWith("2.0.0 Ok: queued as ", received.Reply.Text, StringComparison.Ordinal);
        Assert.Equal(received.Reply.Text, response);
        Assert.Single(receiver.Messages);
    }

    [Fact]
    public async Task SmtpReceiver_ScriptedPermanentRcptFailure_SurfacesAs550()
    {
        var script = new SmtpScript().RcptAlways("550 5.1.1 No such user");
        await using var receiver = await SmtpReceiver.StartAsync(ReceiverAddress, script).DefaultTimeout();
        using var client = await ConnectFromAsync(SenderAddress, receiver).DefaultTimeout();

        var error = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync(CreateMessage("nobody@example.test"))).DefaultTimeout();

        Assert.Equal(SmtpStatusCode.MailboxUnavailable, error.StatusCode);
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, error.ErrorCode);
        Assert.StartsWith("5.1.1 No such user", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, receiver.RcptAttempts);
        Assert.Empty(receiver.Messages);
    }

    [Fact]
    public async Task SmtpReceiver_RcptTemporaryFailureOnce_AcceptsRetry()
    {
        var script = new SmtpScript().RcptReply("451 4.3.0 Try again later");
        await using var receiver = await SmtpReceiver.StartAsync(ReceiverAddress, script).DefaultTimeout();
        using var client = await ConnectFromAsync(SenderAddress, receiver).DefaultTimeout();

        var error = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync(CreateMessage("bob@example.test"))).DefaultTimeout();
        Assert.Equal((SmtpStatusCode)451, error.StatusCode);
        Assert.Empty(receiver.Messages);

        await client.SendAsync(CreateMessage("bob@example.test")).DefaultTimeout();

        var received = await receiver.NextMessageAsync(TestTimeouts.Default).DefaultTimeout();
        Assert.Equal(["bob@example.test"], received.RcptTo);
        Assert.Equal(2, receiver.RcptAttempts);
    }

    [Fact]
    public async Task SmtpReceiver_DataTemporaryFailureOnce_AcceptsRetry()
    {
        var script = new SmtpScript().DataReply("451 4.3.0 Queue full");
        await using var receiver = await SmtpReceiver.StartAsync(ReceiverAddress, script).DefaultTimeout();
        using var client = await ConnectFromAsync(SenderAddress, receiver).DefaultTimeout();

        var error = await Assert.ThrowsAsync<SmtpCommandException>(
            () => client.SendAsync(CreateMessage("carol@example.test"))).DefaultTimeout();
        Assert.Equal(SmtpErrorCode.MessageNotAccepted, error.ErrorCode);
        Assert.Equal((SmtpStatusCode)451, error.StatusCode);
        Assert.Equal("4.3.0 Queue full", error.Message);

        await client.SendAsync(CreateMessage("carol@example.test")).DefaultTimeout();

        var received = await receiver.NextMessageAsync(TestTimeouts.Default).DefaultTimeout();
        Assert.Equal(["carol@example.test"], received.RcptTo);
        Assert.Equal(2, receiver.DataAttempts);
        Assert.Single(receiver.Messages);
    }

    [Fact]
    public async Task SmtpReceiver_NoMessage_NextMessageTimesOut()
    {
        await using var receiver = await SmtpReceiver.StartAsync(ReceiverAddress).DefaultTimeout();

        await Assert.ThrowsAsync<TimeoutException>(
            () => receiver.NextMessageAsync(TimeSpan.FromMilliseconds(50))).DefaultTimeout();
    }

    private static MimeMessage CreateMessage(string to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@mesh.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "self-test";
        message.Body = new TextPart("plain") { Text = "Hello from the infrastructure self-test." };
        return message;
    }

    /// <summary>Connects MailKit through a socket bound to <paramref name="source"/>, as the agent binds its egress IP.</summary>
    private static async Task<SmtpClient> ConnectFromAsync(IPAddress source, SmtpReceiver receiver)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new SmtpClient();
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(receiver.EndPoint);
            await client.ConnectAsync(socket, receiver.EndPoint.Address.ToString(), receiver.Port, SecureSocketOptions.None);
            return client;
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>Proves the shared collection fixture hands its tests a live server.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisServerFixtureSelfTests(RedisServerFixture redis)
{
    [Fact]
    public async Task RedisServerFixture_SetThenGet_ReturnsValue()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString).DefaultTimeout();
        var db = connection.GetDatabase();

        await db.StringSetAsync("fixture-self-test", 42).DefaultTimeout();

        Assert.Equal(42, (int)await db.StringGetAsync("fixture-self-test").DefaultTimeout());
    }
}
