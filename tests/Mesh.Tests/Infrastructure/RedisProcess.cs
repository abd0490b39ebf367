using System.Diagnostics;
using System.Text;

namespace Mesh.Tests.Infrastructure;

/// <summary>One run of <c>redis-server</c>; its output is kept to explain a failed start.</summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private const int MaxOutputChars = 16_000;
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly Process process;
    private readonly StringBuilder output = new();

    private RedisProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static RedisProcess Start(string executable, string directory, int port)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[]
        {
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", directory,
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--protected-mode", "no",
            "--logfile", "",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        var redis = new RedisProcess(process, port);
        process.OutputDataReceived += (_, e) => redis.Append(e.Data);
        process.ErrorDataReceived += (_, e) => redis.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return redis;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(ExitTimeout);
        await process.WaitForExitAsync(timeout.Token);
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < MaxOutputChars)
            {
                output.AppendLine(line);
            }
        }
    }
}
