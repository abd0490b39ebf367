using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Mesh.Bench;

/// <summary>
/// MailKit against Postfix's smtp-sink: the default connect (Nagle on) against a socket with
/// NoDelay handed to ConnectAsync (as the Mesh delivery engine does), with Postfix's smtp-source
/// against the same sink in the same rounds as the reference ceiling.
/// </summary>
internal static class SmtpBench
{
    public static async Task RunAsync(int rounds)
    {
        if (!PostfixSink.Available)
        {
            Console.WriteLine("smtp  skipped: install postfix for smtp-sink and smtp-source");
            return;
        }

        using var sink = await PostfixSink.StartAsync();
        var endpoint = sink.EndPoint;
        var nagle = new List<double>();
        var noDelay = new List<double>();
        var noDelay8 = new List<double>();
        var source1 = new List<double>();
        var source8 = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            nagle.Add(await RateAsync(endpoint, noDelay: false, count: 40));
            noDelay.Add(await RateAsync(endpoint, noDelay: true, count: 2000));
            var eight = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RateAsync(endpoint, noDelay: true, count: 1000)));
            noDelay8.Add(eight.Sum());
            source1.Add(await sink.SmtpSourceRateAsync(2000, 1));
            source8.Add(await sink.SmtpSourceRateAsync(8000, 8));
        }

        Console.WriteLine($"smtp  MailKit default connect (Nagle on), 1 connection: {Stats.Median(nagle),8:F0} msg/s");
        Console.WriteLine($"smtp  MailKit on a NoDelay socket, 1 connection:       {Stats.Median(noDelay),8:F0} msg/s");
        Console.WriteLine($"smtp  MailKit on NoDelay sockets, 8 connections:       {Stats.Median(noDelay8),8:F0} msg/s");
        Console.WriteLine($"smtp  Postfix smtp-source, 1 session:                  {Stats.Median(source1),8:F0} msg/s");
        Console.WriteLine($"smtp  Postfix smtp-source, 8 sessions:                 {Stats.Median(source8),8:F0} msg/s");
        Console.WriteLine($"smtp  medians of {rounds} rounds; NoDelay/Nagle {Stats.Median(noDelay) / Stats.Median(nagle):F0}x, MailKit/smtp-source 1 conn {Stats.Median(noDelay) / Stats.Median(source1):F2}, 8 conn {Stats.Median(noDelay8) / Stats.Median(source8):F2}");
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
