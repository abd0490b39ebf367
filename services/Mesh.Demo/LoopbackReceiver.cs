using System.Buffers;
using System.Net;
using System.Threading.Channels;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mesh.Loopback;

/// <summary>A plain receiving SMTP server (the SmtpServer package) that hands each message to the caller.</summary>
internal sealed class LoopbackReceiver : MessageStore, IAsyncDisposable
{
    private readonly Channel<(IPEndPoint Remote, byte[] Data)> _received = Channel.CreateUnbounded<(IPEndPoint, byte[])>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public LoopbackReceiver(IPEndPoint endpoint)
    {
        var options = new SmtpServerOptionsBuilder().ServerName("receiver.demo").Endpoint(b => b.Endpoint(endpoint)).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(this);
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var remote = (IPEndPoint)context.Properties[EndpointListener.RemoteEndPointKey];
        _received.Writer.TryWrite((remote, buffer.ToArray()));
        return Task.FromResult(new SmtpResponse(SmtpReplyCode.Ok, "2.0.0 Ok: received"));
    }

    public async Task<(IPEndPoint Remote, byte[] Data)> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _received.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
