using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using Mesh.Loopback;
using MimeKit;

namespace Mesh.Bench;

/// <summary>
/// One MailKit connection to the loopback sink: the default connect (Nagle on) against a socket
/// with NoDelay handed to ConnectAsync, as the Mesh delivery engine does.
/// </summary>
internal static class SmtpBench
{
    public static async Task RunAsync(int rounds)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, Stats.FreePort());
        await using var sink = new LoopbackReceiver(endpoint);
        var drain = Task.Run(async () =>
        {
            while (true)
            {
                await sink.NextAsync(Timeout.InfiniteTimeSpan);
            }
        });

        var nagle = new List<double>();
        var noDelay = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            nagle.Add(await RateAsync(endpoint, noDelay: false, count: 40));
            noDelay.Add(await RateAsync(endpoint, noDelay: true, count: 1000));
        }

        Console.WriteLine($"smtp  MailKit default connect (Nagle on), 1 connection: {Stats.Median(nagle),8:F0} msg/s  (median of {rounds})");
        Console.WriteLine($"smtp  MailKit on a NoDelay socket, 1 connection:       {Stats.Median(noDelay),8:F0} msg/s  (median of {rounds})");
        Console.WriteLine($"smtp  ratio: {Stats.Median(noDelay) / Stats.Median(nagle):F0}x");
    }

    private static async Task<double> RateAsync(IPEndPoint endpoint, bool noDelay, int count)
    {
        using var client = new SmtpClient { LocalDomain = "bench.example" };
        if (noDelay)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endpoint);
            await client.ConnectAsync(socket, "127.0.0.1", endpoint.Port, SecureSocketOptions.None);
        }
        else
        {
            await client.ConnectAsync("127.0.0.1", endpoint.Port, SecureSocketOptions.None);
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("bench@bench.example"));
        message.To.Add(MailboxAddress.Parse("to@example.net"));
        message.Subject = "bench";
        message.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat("x", 4000)) };
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await client.SendAsync(message);
        }

        var rate = count / watch.Elapsed.TotalSeconds;
        await client.DisconnectAsync(true);
        return rate;
    }
}
