using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench;

/// <summary>Postfix's smtp-sink (the loopback SMTP ceiling) and smtp-source (the reference client).</summary>
internal sealed class PostfixSink : IDisposable
{
    private readonly Process _process;

    private PostfixSink(Process process, IPEndPoint endpoint)
    {
        _process = process;
        EndPoint = endpoint;
    }

    public IPEndPoint EndPoint { get; }

    public static bool Available => File.Exists("/usr/sbin/smtp-sink") && File.Exists("/usr/sbin/smtp-source");

    public static async Task<PostfixSink> StartAsync()
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, Stats.FreePort());
        var start = new ProcessStartInfo("/usr/sbin/smtp-sink", ["-u", "nobody", endpoint.ToString(), "1024"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start smtp-sink");
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(endpoint);
                return new PostfixSink(process, endpoint);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        process.Kill();
        throw new InvalidOperationException("smtp-sink did not start listening");
    }

    /// <summary>smtp-source sending <paramref name="messages"/> of 4 KB over <paramref name="sessions"/> sessions; messages per second.</summary>
    public async Task<double> SmtpSourceRateAsync(int messages, int sessions)
    {
        var start = new ProcessStartInfo("/usr/sbin/smtp-source",
            ["-s", sessions.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", messages.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-l", "4000", "-f", "bench@bench.example", "-t", "to@example.net", EndPoint.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return messages / watch.Elapsed.TotalSeconds;
    }

    public void Dispose()
    {
        _process.Kill();
        _process.Dispose();
    }
}
