using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Bench;

/// <summary><c>openssl speed -seconds 3 rsa2048 ed25519</c>: signatures per second of one core.</summary>
internal static partial class OpenSslSpeed
{
    public sealed record Result(double Rsa2048, double Ed25519);

    /// <summary>Null when openssl is not installed.</summary>
    public static async Task<Result?> RunAsync()
    {
        var start = new ProcessStartInfo("openssl", "speed -seconds 3 rsa2048 ed25519")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            return null;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return Parse(await output);
        }
    }

    // "rsa 2048 bits 0.000244s 0.000007s   4100.2 140000.1" and
    // " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  26000.0   9000.0": the first rate is sign/s.
    internal static Result Parse(string output) => new(Rate(RsaLine(), output), Rate(Ed25519Line(), output));

    private static double Rate(Regex line, string output)
    {
        var match = line.Match(output);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new FormatException($"openssl speed printed no line matching {line}:\n{output}");
    }

    [GeneratedRegex(@"^rsa\s+2048 bits\s+\S+s\s+\S+s\s+([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RsaLine();

    [GeneratedRegex(@"EdDSA \(Ed25519\)\s+\S+s\s+\S+s\s+([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex Ed25519Line();
}
