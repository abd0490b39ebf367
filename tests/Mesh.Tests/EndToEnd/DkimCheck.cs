using Mesh.Admin.V1;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Mesh.Tests.EndToEnd;

/// <summary>One DKIM-Signature header of a received message, its tags, and whether it verified.</summary>
public sealed record DkimResult(IReadOnlyDictionary<string, string> Tags, bool Verified)
{
    public string Algorithm => Tags["a"];

    public string Selector => Tags["s"];
}

/// <summary>Verifies DKIM against the TXT records the admin API told the customer to publish.</summary>
public static class DkimCheck
{
    /// <summary>Verifies the signature made with <paramref name="selector"/>; false when there is none.</summary>
    public static bool Verify(byte[] received, string selector, string txtRecord) =>
        VerifyEach(received, new Dictionary<string, string> { [selector] = txtRecord })
            .Any(r => r.Selector == selector && r.Verified);

    /// <summary>Verifies every DKIM-Signature header against the published record of its s= selector.</summary>
    public static IReadOnlyList<DkimResult> VerifyEach(byte[] received, Domain published) =>
        VerifyEach(received, new Dictionary<string, string>
        {
            [published.DkimSelector] = published.DkimRecordValue,
            [published.DkimEd25519Selector] = published.DkimEd25519RecordValue,
        });

    public static IReadOnlyList<DkimResult> VerifyEach(byte[] received, IReadOnlyDictionary<string, string> recordsBySelector)
    {
        var message = MimeMessage.Load(new MemoryStream(received));
        var verifier = new DkimVerifier(new PublishedKeys(recordsBySelector));
        return message.Headers
            .Where(h => h.Id == HeaderId.DkimSignature)
            .Select(h =>
            {
                var tags = Tags(h.Value);
                var known = recordsBySelector.ContainsKey(tags.GetValueOrDefault("s", string.Empty));
                return new DkimResult(tags, known && verifier.Verify(message, h));
            })
            .ToList();
    }

    /// <summary>The tag=value list of a DKIM-Signature (RFC 6376 §3.2), whitespace removed.</summary>
    public static IReadOnlyDictionary<string, string> Tags(string headerValue) =>
        headerValue.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(tag => tag.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => string.Concat(p[1].Where(c => !char.IsWhiteSpace(c))));

    private sealed class PublishedKeys(IReadOnlyDictionary<string, string> records) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string s, CancellationToken cancellationToken = default) =>
            records.TryGetValue(s, out var txt) ? GetPublicKey(txt) : throw new InvalidOperationException($"unknown selector {s}");

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string s, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, s, cancellationToken));
    }
}
