using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Tests.Infrastructure;

/// <summary>SMTP phases a <see cref="RawSmtpServer"/> can be scripted at.</summary>
public enum SmtpPhase
{
    Greeting,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    EndOfData,
}

/// <summary>
/// A deliberately small SMTP server over a raw socket, for misbehaviour SmtpServer cannot script:
/// a refused greeting or EHLO, a connection dropped in the middle of DATA, a reply that never comes.
/// Each phase answers as scripted, or with the usual success. Sessions are recorded.
/// </summary>
public sealed class RawSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Dictionary<SmtpPhase, Func<string, string?>> _replies = [];
    private readonly List<string> _commands = [];
    private readonly Lock _gate = new();
    private int _messages;
    private int _sessions;
    private int _open;
    private int _maxOpen;

    private RawSmtpServer(IPAddress address)
    {
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Drop the connection after this many bytes of message data (null: never).</summary>
    public int? DropAfterDataBytes { get; set; }

    /// <summary>Never answer this phase (the client must time out).</summary>
    public SmtpPhase? StallAt { get; set; }

    /// <summary>Connections accepted so far.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>The most connections that were open at the same time.</summary>
    public int MaxConcurrentSessions => Volatile.Read(ref _maxOpen);

    /// <summary>Messages whose end of DATA got a 250.</summary>
    public int MessagesAccepted => Volatile.Read(ref _messages);

    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_gate)
            {
                return [.. _commands];
            }
        }
    }

    public static RawSmtpServer Start(IPAddress address) => new(address);

    /// <summary>Answer <paramref name="phase"/> with <paramref name="reply"/> ("550 5.1.1 No such user"), optionally only when the command argument matches.</summary>
    public RawSmtpServer Reply(SmtpPhase phase, string reply, Func<string, bool>? when = null)
    {
        _replies[phase] = argument => when is null || when(argument) ? reply : null;
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => SessionAsync(client));
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        Interlocked.Increment(ref _sessions);
        var open = Interlocked.Increment(ref _open);
        int seen;
        while (open > (seen = Volatile.Read(ref _maxOpen)) && Interlocked.CompareExchange(ref _maxOpen, open, seen) != seen)
        {
        }

        try
        {
            await RunSessionAsync(client);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task RunSessionAsync(TcpClient client)
    {
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        try
        {
            if (!await AnswerAsync(stream, SmtpPhase.Greeting, string.Empty, "220 raw.test ESMTP"))
            {
                return;
            }

            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                lock (_gate)
                {
                    _commands.Add(line);
                }

                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                var ok = verb switch
                {
                    "EHLO" or "HELO" => await AnswerAsync(stream, SmtpPhase.Ehlo, line, "250-raw.test\r\n250 8BITMIME"),
                    "MAIL" => await AnswerAsync(stream, SmtpPhase.Mail, line, "250 2.1.0 Ok"),
                    "RCPT" => await AnswerAsync(stream, SmtpPhase.Rcpt, line, "250 2.1.5 Ok"),
                    "DATA" => await AnswerDataAsync(reader, stream, line),
                    "RSET" or "NOOP" => await WriteAsync(stream, "250 2.0.0 Ok"),
                    "QUIT" => await WriteAsync(stream, "221 2.0.0 Bye") && false,
                    _ => await WriteAsync(stream, "502 5.5.2 Command not recognized"),
                };
                if (!ok)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // The client went away or the server is stopping.
        }
    }

    /// <summary>Reads message data up to the lone dot, then answers the end of DATA; false ends the session.</summary>
    private async Task<bool> ReadDataAsync(StreamReader reader, NetworkStream stream)
    {
        var bytes = 0;
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            if (line == ".")
            {
                var reply = ReplyFor(SmtpPhase.EndOfData, string.Empty, "250 2.0.0 Ok: queued");
                if (reply[0] == '2' && StallAt != SmtpPhase.EndOfData)
                {
                    // Counted before the reply goes out, so a client that has its 250 sees the count.
                    Interlocked.Increment(ref _messages);
                }

                return await AnswerAsync(stream, SmtpPhase.EndOfData, reply);
            }

            bytes += line.Length + 2;
            if (bytes >= DropAfterDataBytes)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Answers DATA; message data is read only after a 354.</summary>
    private async Task<bool> AnswerDataAsync(StreamReader reader, NetworkStream stream, string line)
    {
        var reply = ReplyFor(SmtpPhase.Data, line, "354 End data with <CR><LF>.<CR><LF>");
        return await AnswerAsync(stream, SmtpPhase.Data, reply) && (!reply.StartsWith("354", StringComparison.Ordinal) || await ReadDataAsync(reader, stream));
    }

    /// <summary>The scripted reply of a phase (its script runs once per command), or the usual success.</summary>
    private string ReplyFor(SmtpPhase phase, string argument, string success) =>
        _replies.TryGetValue(phase, out var script) ? script(argument) ?? success : success;

    private Task<bool> AnswerAsync(NetworkStream stream, SmtpPhase phase, string argument, string success) =>
        AnswerAsync(stream, phase, ReplyFor(phase, argument, success));

    private async Task<bool> AnswerAsync(NetworkStream stream, SmtpPhase phase, string reply)
    {
        if (StallAt == phase)
        {
            // Never answer: hold the session until the server stops.
            var stopped = new TaskCompletionSource();
            await using (_stop.Token.Register(() => stopped.TrySetResult()))
            {
                await stopped.Task;
            }

            return false;
        }

        await WriteAsync(stream, reply);
        // A refused greeting (or a 421) closes the session, as RFC 5321 §3.1 and §4.2.2 describe.
        return !(phase == SmtpPhase.Greeting && reply[0] != '2') && !reply.StartsWith("421", StringComparison.Ordinal);
    }

    private async Task<bool> WriteAsync(NetworkStream stream, string reply)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), _stop.Token);
        return true;
    }
}
