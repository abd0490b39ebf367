using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Mesh.Tests.EndToEnd;

/// <summary>Verifies DKIM against the TXT record the admin API told the customer to publish.</summary>
public static class DkimCheck
{
    public static bool Verify(byte[] received, string selector, string txtRecord)
    {
        var message = MimeMessage.Load(new MemoryStream(received));
        var index = message.Headers.IndexOf(HeaderId.DkimSignature);
        if (index < 0)
        {
            return false;
        }

        var verifier = new DkimVerifier(new PublishedKey(selector, txtRecord));
        return verifier.Verify(message, message.Headers[index]);
    }

    private sealed class PublishedKey(string selector, string txtRecord) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string s, CancellationToken cancellationToken = default) =>
            s == selector ? GetPublicKey(txtRecord) : throw new InvalidOperationException($"unknown selector {s}");

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string s, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, s, cancellationToken));
    }
}
