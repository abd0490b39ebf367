using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Net;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free port of a loopback address. It records
/// what it accepts and answers RCPT and DATA as its <see cref="SmtpScript"/> says.
/// </summary>
public sealed class SmtpReceiver : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private const int StartAttempts = 3;

    // SmtpServer ends a session after this many failed commands in a row; scripted
    // rejections must not end it early.
    private const int MaxRetryCount = 1000;

    private readonly SmtpReceiverLog log;
    private readonly CancellationTokenSource stopping;
    private readonly Task running;
    private int stopped;

    private SmtpReceiver(IPEndPoint endPoint, SmtpReceiverLog log, CancellationTokenSource stopping, Task running)
    {
        EndPoint = endPoint;
        this.log = log;
        this.stopping = stopping;
        this.running = running;
    }

    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary>Messages accepted so far, in order of acceptance.</summary>
    public IReadOnlyList<ReceivedMessage> Messages => log.Messages;

    /// <summary>RCPT TO commands received, accepted or not.</summary>
    public int RcptAttempts => log.RcptAttempts;

    /// <summary>Messages received to the end of DATA, accepted or not.</summary>
    public int DataAttempts => log.DataAttempts;

    public static async Task<SmtpReceiver> StartAsync(IPAddress bind, SmtpScript? script = null)
    {
        if (!IPAddress.IsLoopback(bind))
        {
            throw new ArgumentException($"Tests listen on loopback addresses only, not {bind}.", nameof(bind));
        }

        script ??= new SmtpScript();
        for (var attempt = 1; ; attempt++)
        {
            var endPoint = new IPEndPoint(bind, FreePort.Pick(bind));
            try
            {
                return await StartOnAsync(endPoint, script);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < StartAttempts)
            {
                // Someone took the port between FreePort.Pick and the server's bind; pick again.
            }
        }
    }

    /// <summary>Waits for the next accepted message, without sleeping.</summary>
    public async Task<ReceivedMessage> NextMessageAsync(TimeSpan timeout)
    {
        using var expiry = new CancellationTokenSource(timeout);
        try
        {
            return await log.Arrivals.ReadAsync(expiry.Token);
        }
        catch (OperationCanceledException ex) when (expiry.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"No message reached the SMTP receiver on {EndPoint} within {timeout} ({RcptAttempts} RCPT, {DataAttempts} DATA attempts).",
                ex);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        // Cancelling the token passed to StartAsync stops the listener and ends open sessions;
        // Shutdown() alone would wait for clients that keep their connection open.
        await stopping.CancelAsync();
        try
        {
            await running.WaitAsync(StopTimeout);
        }
        catch (OperationCanceledException)
        {
            // The server's run ends by cancellation: that is the stop we asked for.
        }
        finally
        {
            stopping.Dispose();
        }
    }

    private static async Task<SmtpReceiver> StartOnAsync(IPEndPoint endPoint, SmtpScript script)
    {
        var log = new SmtpReceiverLog();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, _) => listening.TrySetResult();

        var services = new ServiceProvider();
        services.Add(listeners);
        services.Add(new ScriptedMailboxFilter(script, log));
        services.Add(new RecordingMessageStore(script, log));

        var options = new SmtpServerOptionsBuilder()
            .ServerName("receiver.mesh.test")
            .Endpoint(builder => builder.Endpoint(endPoint))
            .MaxRetryCount(MaxRetryCount)
            .Build();

        var stopping = new CancellationTokenSource();
        var running = new SmtpServer.SmtpServer(options, services).StartAsync(stopping.Token);
        var receiver = new SmtpReceiver(endPoint, log, stopping, running);
        Task first;
        try
        {
            first = await Task.WhenAny(listening.Task, running).WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await receiver.StopAsync();
            throw;
        }

        if (first == running)
        {
            stopping.Dispose();
            // Surfaces the bind failure (or says that the server stopped without one).
            await running;
            throw new InvalidOperationException($"The SMTP receiver on {endPoint} stopped before it listened.");
        }

        return receiver;
    }
}
