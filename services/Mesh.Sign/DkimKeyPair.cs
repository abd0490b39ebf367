using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using StackExchange.Redis;

namespace Mesh.Sign;

/// <summary>
/// Makes a fresh RSA-2048 + Ed25519 pair as the hash entries of one slot of Keys.DkimKey: the
/// active slot (no prefix) or the pending slot ("pending_"). Private keys are sealed under the KEK.
/// </summary>
internal static class DkimKeyPair
{
    public static HashEntry[] Create(KeyEncryption encryption, string tenant, string domain, string prefix, string rsaSelector, string edSelector)
    {
        using var rsa = RSA.Create(2048);
        var rsaPrivate = rsa.ExportPkcs8PrivateKey();
        var edSeed = RandomNumberGenerator.GetBytes(Ed25519PrivateKeyParameters.KeySize);
        try
        {
            var edPublic = new Ed25519PrivateKeyParameters(edSeed).GeneratePublicKey().GetEncoded();
            return
            [
                new(prefix + DkimKeyStore.Fields.RsaSelector, rsaSelector),
                new(prefix + DkimKeyStore.Fields.RsaKey, encryption.Seal(rsaPrivate, KeyEncryption.KeyContext(tenant, domain, rsaSelector, DkimKeyStore.RsaAlgorithm))),
                new(prefix + DkimKeyStore.Fields.RsaPublic, Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())),
                new(prefix + DkimKeyStore.Fields.EdSelector, edSelector),
                new(prefix + DkimKeyStore.Fields.EdKey, encryption.Seal(edSeed, KeyEncryption.KeyContext(tenant, domain, edSelector, DkimKeyStore.Ed25519Algorithm))),
                new(prefix + DkimKeyStore.Fields.EdPublic, Convert.ToBase64String(edPublic)),
            ];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rsaPrivate);
            CryptographicOperations.ZeroMemory(edSeed);
        }
    }

    // RFC 6376 §3.6.1 (k=rsa, p = SubjectPublicKeyInfo) and RFC 8463 §4.2 (k=ed25519, p = the raw 32-byte key).
    public static string Txt(string algorithm, string publicKey) =>
        algorithm == DkimKeyStore.RsaAlgorithm ? $"v=DKIM1; k=rsa; p={publicKey}" : $"v=DKIM1; k=ed25519; p={publicKey}";
}
