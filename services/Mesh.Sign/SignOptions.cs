namespace Mesh.Sign;

/// <summary>Signing configuration (section "Mesh:Sign"). Validated at start-up.</summary>
public sealed record SignOptions
{
    public const string Section = "Mesh:Sign";

    /// <summary>
    /// Base64 of 32 random bytes (`openssl rand -base64 32`): the AES-256-GCM key that wraps every
    /// DKIM private key in the store. Required; only the sign service holds it.
    /// </summary>
    public string? KeyEncryptionKey { get; init; }

    /// <summary>When set, signatures carry x= (RFC 6376 §3.5) this long after t=. Unset: no x=.</summary>
    public TimeSpan? SignatureLifetime { get; init; }

    /// <summary>
    /// How long a replaced key's record stays published after a rotation switched to the new key,
    /// before the key is retired (messages signed with it may still be queued or retried). Default
    /// 7 days: longer than a retry's give-up time (Mesh:Schedule:MaxAge, 5 days).
    /// </summary>
    public TimeSpan RetireAfter { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The decoded key-encryption key; call only after validation.</summary>
    public byte[] KeyEncryptionKeyBytes() => Convert.FromBase64String(KeyEncryptionKey!);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(KeyEncryptionKey))
        {
            yield return $"{Section}:KeyEncryptionKey is required: base64 of 32 random bytes (e.g. `openssl rand -base64 32`); it encrypts the DKIM private keys";
        }
        else
        {
            var buffer = new byte[KeyEncryptionKey.Length];
            if (!Convert.TryFromBase64String(KeyEncryptionKey, buffer, out var length))
            {
                yield return $"{Section}:KeyEncryptionKey is not valid base64: it must be base64 of 32 random bytes";
            }
            else if (length != KeyEncryption.KeySize)
            {
                yield return $"{Section}:KeyEncryptionKey decodes to {length} bytes; it must be base64 of exactly {KeyEncryption.KeySize} bytes";
            }
        }

        if (RetireAfter < TimeSpan.Zero)
        {
            yield return $"{Section}:RetireAfter must not be negative";
        }

        if (SignatureLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            yield return $"{Section}:SignatureLifetime must be positive when set (unset means no x= tag)";
        }
    }
}
