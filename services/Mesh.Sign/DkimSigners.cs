using MimeKit;
using MimeKit.Cryptography;

namespace Mesh.Sign;

/// <summary>
/// A domain's two signers: rsa-sha256 for every verifier, and ed25519-sha256 (RFC 8463) for
/// those that support it. Each message carries both; a verifier uses the one it understands.
/// A revoked selector leaves its signer null, and the message carries only the other signature.
/// </summary>
public sealed class DkimSigners(DkimSigner? rsa, DkimSigner? ed25519)
{
    // RFC 6376 §5.4.1 lists From as required; the rest are those whose change would alter what
    // the reader sees or does (List-Unsubscribe and -Post drive RFC 8058 one-click unsubscribe).
    // From is listed twice (oversigned) so that a second From cannot be added. A listed header
    // that the message lacks is signed as absent, so it cannot be added later either.
    public static readonly HeaderId[] SignedHeaders =
    [
        HeaderId.From, HeaderId.From, HeaderId.To, HeaderId.Cc, HeaderId.ReplyTo, HeaderId.Subject, HeaderId.Date,
        HeaderId.MessageId, HeaderId.MimeVersion, HeaderId.ContentType, HeaderId.ContentTransferEncoding,
        HeaderId.ListUnsubscribe, HeaderId.ListUnsubscribePost,
    ];

    public DkimSigner? Rsa { get; } = rsa;

    public DkimSigner? Ed25519 { get; } = ed25519;

    /// <summary>Prepends both DKIM-Signature headers (RSA first, so the Ed25519 one ends up on top). Never l=.</summary>
    public void Sign(FormatOptions format, MimeMessage message)
    {
        Rsa?.Sign(format, message, SignedHeaders);
        Ed25519?.Sign(format, message, SignedHeaders);
    }
}
