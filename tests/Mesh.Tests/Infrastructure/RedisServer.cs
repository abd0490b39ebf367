using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, with its data in a fresh temporary
/// directory. Every write is fsynced to the append-only file, so a restart after a hard kill
/// shows what a crash would leave behind.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(25);
    private const int StartAttempts = 3;

    private readonly string executable;
    private RedisProcess process;

    private RedisServer(string executable, string directory, RedisProcess process)
    {
        this.executable = executable;
        Directory = directory;
        this.process = process;
    }

    public int Port => process.Port;

    /// <summary>Data directory (the <c>--dir</c> of the server), deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6380</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable();
        var directory = System.IO.Directory.CreateTempSubdirectory("mesh-redis-").FullName;
        try
        {
            var process = await StartWithRetriesAsync(executable, directory, port: null, cancellationToken);
            return new RedisServer(executable, directory, process);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Kills the server without letting it shut down cleanly (as a crash would), then starts a
    /// new one on the same port and directory, so it reloads the append-only file.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var port = process.Port;
        await process.DisposeAsync();
        process = await StartWithRetriesAsync(executable, Directory, port, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static async Task<RedisProcess> StartWithRetriesAsync(
        string executable, string directory, int? port, CancellationToken cancellationToken)
    {
        var failures = new StringBuilder();
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            var process = RedisProcess.Start(executable, directory, port ?? FreePort.Pick(IPAddress.Loopback));
            try
            {
                await WaitUntilReadyAsync(process, cancellationToken);
                return process;
            }
            catch (RedisStartException ex)
            {
                // The port chosen by FreePort may have been taken by someone else in the meantime.
                await process.DisposeAsync();
                failures.AppendLine($"attempt {attempt}: {ex.Message}");
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }

        throw new InvalidOperationException($"redis-server did not start after {StartAttempts} attempts:{Environment.NewLine}{failures}");
    }

    private static async Task WaitUntilReadyAsync(RedisProcess process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (process.HasExited)
            {
                throw new RedisStartException($"redis-server exited with code {process.ExitCode}. Output:{Environment.NewLine}{process.Output}");
            }

            if (await RespondsToPingAsync(process.Port, cancellationToken))
            {
                return;
            }

            await Task.Delay(ProbeInterval, cancellationToken);
        }

        throw new RedisStartException($"redis-server on port {process.Port} did not answer PING within {ReadyTimeout}. Output:{Environment.NewLine}{process.Output}");
    }

    private static async Task<bool> RespondsToPingAsync(int port, CancellationToken cancellationToken)
    {
        using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probeTimeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Loopback, port, probeTimeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), probeTimeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, probeTimeout.Token);
            // While loading the AOF, redis answers "-LOADING ..." rather than "+PONG".
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string FindExecutable()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var candidates = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "redis-server"))
            .Prepend("/usr/bin/redis-server");
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "redis-server is not installed (looked in /usr/bin and on PATH). Install it with 'apt-get install redis-server'.");
    }

    private sealed class RedisStartException(string message) : Exception(message);
}
