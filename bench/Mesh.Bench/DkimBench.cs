using System.Diagnostics;
using System.Security.Cryptography;
using Mesh.Sign;
using MimeKit;
using MimeKit.Cryptography;

namespace Mesh.Bench;

/// <summary>
/// Build + sign + serialize a 4 KB message on one thread: MimeKit's DkimSigner as shipped
/// (BouncyCastle RSA) against Mesh's signer (the same DkimSigner, RSA through .NET/OpenSSL).
/// </summary>
internal static class DkimBench
{
    private static readonly HeaderId[] Headers = [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId];

    public static void Run(int rounds)
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportRSAPrivateKeyPem();
        var bouncy = new DkimSigner(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(pem)), "bench.example", "s1", DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        var dotnet = new DotNetRsaDkimSigner(rsa.ExportPkcs8PrivateKey(), "bench.example", "s1");
        var bodyText = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 70));

        // Alternate short runs so both see the same machine noise; report medians.
        var bc = new List<double>();
        var net = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            bc.Add(Rate(bouncy, bodyText, 100));
            net.Add(Rate(dotnet, bodyText, 1000));
        }

        var bcMedian = Stats.Median(bc);
        var netMedian = Stats.Median(net);
        Console.WriteLine($"dkim  MimeKit DkimSigner (BouncyCastle RSA): {bcMedian,8:F0} msg/s  (median of {rounds})");
        Console.WriteLine($"dkim  Mesh DotNetRsaDkimSigner (OpenSSL RSA): {netMedian,8:F0} msg/s  (median of {rounds})");
        Console.WriteLine($"dkim  ratio: {netMedian / bcMedian:F1}x");
    }

    private static double Rate(DkimSigner signer, string body, int count)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Bench", "bench@bench.example"));
            message.To.Add(new MailboxAddress("To", "to@example.net"));
            message.Subject = "Benchmark " + i;
            message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("bench.example");
            message.Body = new TextPart("plain") { Text = body };
            message.Prepare(EncodingConstraint.SevenBit);
            signer.Sign(message, Headers);
            message.WriteTo(Stream.Null);
        }

        return count / watch.Elapsed.TotalSeconds;
    }
}
