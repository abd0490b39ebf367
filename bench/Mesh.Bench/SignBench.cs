using System.Diagnostics;
using System.Security.Cryptography;
using Mesh.Sign;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace Mesh.Bench;

/// <summary>
/// What the sign service does per message, on one thread (= per core): parse a 5 KB message,
/// sign it (RSA only, Ed25519 only, or both as Mesh does), serialize it. Beside it, in the same
/// run, <c>openssl speed</c> gives the bare cost of one signature, so the output shows how close
/// dual signing comes to what the two signature operations alone allow.
/// </summary>
internal static class SignBench
{
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(int rounds)
    {
        using var rsa = RSA.Create(2048);
        var rsaSigner = new DotNetRsaDkimSigner(rsa.ExportPkcs8PrivateKey(), "bench.example", "benchr");
        var edSigner = new DkimSigner(new Ed25519PrivateKeyParameters(RandomNumberGenerator.GetBytes(32)), "bench.example", "benche", DkimSignatureAlgorithm.Ed25519Sha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        var dual = new DkimSigners(rsaSigner, edSigner);
        var mime = Message(5 * 1024);
        Console.WriteLine($"sign  message {mime.Length} bytes; parse + sign + serialize, 1 thread, {Slice.TotalSeconds:F0} s per figure");

        // Warm up the JIT and OpenSSL before measuring.
        Rate(mime, (f, m) => dual.Sign(f, m), TimeSpan.FromMilliseconds(300));
        List<double> none = [], rsaOnly = [], edOnly = [], both = [], osslRsa = [], osslEd = [];
        for (var r = 0; r < rounds; r++)
        {
            // Alternate within a round so every figure sees the same machine noise.
            none.Add(Rate(mime, (_, _) => { }, Slice));
            rsaOnly.Add(Rate(mime, (f, m) => rsaSigner.Sign(f, m, DkimSigners.SignedHeaders), Slice));
            edOnly.Add(Rate(mime, (f, m) => edSigner.Sign(f, m, DkimSigners.SignedHeaders), Slice));
            both.Add(Rate(mime, (f, m) => dual.Sign(f, m), Slice));
            if (await OpenSslSpeed.RunAsync() is { } speed)
            {
                osslRsa.Add(speed.Rsa2048);
                osslEd.Add(speed.Ed25519);
            }
        }

        double noneRate = Stats.Median(none), rsaRate = Stats.Median(rsaOnly), edRate = Stats.Median(edOnly), bothRate = Stats.Median(both);
        Console.WriteLine($"sign  no signature (parse + serialize): {noneRate,8:F0} msg/s  (median of {rounds}, range {Range(none)})");
        Console.WriteLine($"sign  rsa-sha256 only:                  {rsaRate,8:F0} msg/s  (range {Range(rsaOnly)})");
        Console.WriteLine($"sign  ed25519-sha256 only:              {edRate,8:F0} msg/s  (range {Range(edOnly)})");
        Console.WriteLine($"sign  both (Mesh):                      {bothRate,8:F0} msg/s  (range {Range(both)})");
        var allowedMeasured = 1 / ((1 / rsaRate) + (1 / edRate));
        Console.WriteLine($"sign  both vs 1/(1/rsa + 1/ed) of the single-algorithm rates ({allowedMeasured:F0}/s): {bothRate / allowedMeasured:P0}");
        // The formula above counts parse + serialize twice; dual signing pays it once. Each
        // signature's own cost is its single rate's time minus the no-signature time.
        var costOnce = 1 / ((1 / noneRate) + (1 / rsaRate - 1 / noneRate) + (1 / edRate - 1 / noneRate));
        Console.WriteLine($"sign  both vs parse + serialize once plus each signature's measured cost ({costOnce:F0}/s): {bothRate / costOnce:P0}");
        if (osslRsa.Count == 0)
        {
            Console.WriteLine("sign  openssl not found: no openssl speed reference");
            return;
        }

        double osslRsaRate = Stats.Median(osslRsa), osslEdRate = Stats.Median(osslEd);
        var allowedOpenSsl = 1 / ((1 / osslRsaRate) + (1 / osslEdRate));
        Console.WriteLine($"sign  openssl speed -seconds 3 rsa2048 ed25519: rsa2048 {osslRsaRate:F0} sign/s (range {Range(osslRsa)}), ed25519 {osslEdRate:F0} sign/s (range {Range(osslEd)}), median of {osslRsa.Count}");
        Console.WriteLine($"sign  both vs 1/(1/rsa + 1/ed) of openssl's rates ({allowedOpenSsl:F0}/s): {bothRate / allowedOpenSsl:P0}");
    }

    private static string Range(List<double> values) => $"{values.Min():F0}-{values.Max():F0}";

    private static double Rate(byte[] mime, Action<FormatOptions, MimeMessage> sign, TimeSpan duration)
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            // As SignGrpcService does: load the rendered bytes, sign, write the result.
            var message = MimeMessage.Load(new MemoryStream(mime, writable: false));
            sign(format, message);
            message.WriteTo(format, Stream.Null);
            count++;
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>A rendered message of about <paramref name="size"/> bytes: text and HTML, quoted-printable, as render makes it.</summary>
    private static byte[] Message(int size)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Bench", "hello@bench.example"));
        message.To.Add(new MailboxAddress("Ana", "ana@example.net"));
        message.Subject = "Your order ships today";
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("bench.example");
        message.Headers.Add(HeaderId.ListUnsubscribe, "<https://mesh.example/u/abc>");
        message.Headers.Add(HeaderId.ListUnsubscribePost, "List-Unsubscribe=One-Click");
        var paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ";
        // Two parts of the same text; about 900 bytes go to headers, boundaries and quoted-printable soft breaks.
        var text = string.Concat(Enumerable.Repeat(paragraph, (size - 900) / 2 / paragraph.Length));
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = "<p>" + text + "</p>" }.ToMessageBody();
        message.Prepare(EncodingConstraint.SevenBit, 78);
        using var output = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        message.WriteTo(format, output);
        return output.ToArray();
    }
}
