using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mesh.Sign;

/// <summary>
/// AES-256-GCM wrapping of DKIM private keys under the key-encryption key (KEK). A blob is
/// version (1 byte) | nonce (12) | ciphertext | tag (16). The associated data names what the blob
/// is (tenant, domain, selector, algorithm), so a blob copied to another tenant or domain fails to open.
/// </summary>
public sealed class KeyEncryption
{
    public const int KeySize = 32;
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _kek;

    public KeyEncryption(byte[] kek)
    {
        if (kek.Length != KeySize)
        {
            throw new ArgumentException($"the key-encryption key must be {KeySize} bytes", nameof(kek));
        }

        _kek = kek;
    }

    /// <summary>Associated data binding a DKIM key to its owner and use.</summary>
    public static byte[] KeyContext(string tenant, string domain, string selector, string algorithm) =>
        Context("dkim-key", tenant, domain, selector, algorithm);

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var blob = new byte[1 + NonceSize + plaintext.Length + TagSize];
        blob[0] = Version;
        var nonce = blob.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_kek, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(1 + NonceSize, plaintext.Length), blob.AsSpan(blob.Length - TagSize), associatedData);
        return blob;
    }

    /// <summary>Decrypts a blob; throws <see cref="CryptographicException"/> when the KEK or the associated data differ.</summary>
    public byte[] Open(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> associatedData)
    {
        if (blob.Length < 1 + NonceSize + TagSize || blob[0] != Version)
        {
            throw new CryptographicException("not a Mesh key blob of version 1");
        }

        var plaintext = new byte[blob.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_kek, TagSize);
        aes.Decrypt(blob.Slice(1, NonceSize), blob.Slice(1 + NonceSize, plaintext.Length), blob[^TagSize..], plaintext, associatedData);
        return plaintext;
    }

    /// <summary>Length-prefixed parts, so that ("ab", "c") and ("a", "bc") differ.</summary>
    internal static byte[] Context(params string[] parts)
    {
        using var buffer = new MemoryStream();
        buffer.Write("mesh/v1"u8);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return buffer.ToArray();
    }
}
