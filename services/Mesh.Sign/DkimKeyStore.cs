using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Mesh.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using StackExchange.Redis;

namespace Mesh.Sign;

/// <summary>The DNS TXT records a domain publishes for its two DKIM keys.</summary>
public sealed record DkimPublicRecords(string RsaSelector, string RsaTxt, string Ed25519Selector, string Ed25519Txt);

/// <summary>
/// DKIM keys of sending domains: RSA-2048 and Ed25519, encrypted at rest under the KEK
/// (<see cref="KeyEncryption"/>). Only the sign service reads or writes them. Decrypted signers are
/// cached in memory for a short time so that signing does no store round trip.
/// </summary>
public sealed class DkimKeyStore(MeshStore store, KeyEncryption encryption, IOptions<SignOptions> options, TimeProvider clock, ILogger<DkimKeyStore> logger)
{
    public const string RsaAlgorithm = "rsa-sha256";
    public const string Ed25519Algorithm = "ed25519-sha256";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);
    private static readonly RedisValue[] PublicFields = [Fields.RsaSelector, Fields.RsaPublic, Fields.EdSelector, Fields.EdPublic];
    private static readonly RedisValue[] PrivateFields = [Fields.RsaSelector, Fields.RsaKey, Fields.EdSelector, Fields.EdKey];
    private readonly ConcurrentDictionary<(string Tenant, string Domain), (DkimSigners Signers, DateTimeOffset Until)> _cache = new();

    /// <summary>
    /// Creates the domain's keys unless it has them; returns the records to publish. Null when the
    /// stored entry is not in this format (a key made before keys were encrypted).
    /// </summary>
    public async Task<DkimPublicRecords?> CreateAsync(string tenant, string domain)
    {
        var key = Keys.DkimKey(tenant, domain);
        // Adding a domain again answers with the records already published, without making keys.
        var existing = await store.Database.HashGetAsync(key, PublicFields);
        if (existing.All(v => !v.IsNull))
        {
            return Records(existing);
        }

        // Selectors name the day and the algorithm (r = rsa, e = ed25519), so both can be rotated apart.
        var day = clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var rsaSelector = $"mesh{day}r";
        var edSelector = $"mesh{day}e";

        using var rsa = RSA.Create(2048);
        var rsaPrivate = rsa.ExportPkcs8PrivateKey();
        var edSeed = RandomNumberGenerator.GetBytes(Ed25519PrivateKeyParameters.KeySize);
        try
        {
            var edPublic = new Ed25519PrivateKeyParameters(edSeed).GeneratePublicKey().GetEncoded();
            // All fields or none: adding a domain twice must not change its published records.
            var tx = store.Database.CreateTransaction();
            tx.AddCondition(Condition.KeyNotExists(key));
            _ = tx.HashSetAsync(key,
            [
                new(Fields.RsaSelector, rsaSelector),
                new(Fields.RsaKey, encryption.Seal(rsaPrivate, KeyEncryption.KeyContext(tenant, domain, rsaSelector, RsaAlgorithm))),
                new(Fields.RsaPublic, Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())),
                new(Fields.EdSelector, edSelector),
                new(Fields.EdKey, encryption.Seal(edSeed, KeyEncryption.KeyContext(tenant, domain, edSelector, Ed25519Algorithm))),
                new(Fields.EdPublic, Convert.ToBase64String(edPublic)),
            ]);
            if (await tx.ExecuteAsync())
            {
                Log.KeysCreated(logger, tenant, domain, rsaSelector, edSelector);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rsaPrivate);
            CryptographicOperations.ZeroMemory(edSeed);
        }

        var stored = await store.Database.HashGetAsync(key, PublicFields);
        if (stored.Any(v => v.IsNull))
        {
            return null;
        }

        return Records(stored);
    }

    /// <summary>
    /// The signers for a domain, or null when the tenant has no key for it. Throws
    /// <see cref="CryptographicException"/> when a stored key does not decrypt for this tenant and domain.
    /// </summary>
    public async Task<DkimSigners?> GetSignersAsync(string tenant, string domain)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue((tenant, domain), out var cached) && cached.Until > now)
        {
            return cached.Signers;
        }

        var stored = await store.Database.HashGetAsync(Keys.DkimKey(tenant, domain), PrivateFields);
        if (stored.Any(v => v.IsNull))
        {
            return null;
        }

        string rsaSelector = stored[0]!, edSelector = stored[2]!;
        var rsaPrivate = Open((byte[])stored[1]!, tenant, domain, rsaSelector, RsaAlgorithm);
        var edSeed = Open((byte[])stored[3]!, tenant, domain, edSelector, Ed25519Algorithm);
        try
        {
            var lifetime = options.Value.SignatureLifetime;
            var rsa = new DotNetRsaDkimSigner(rsaPrivate, domain, rsaSelector) { SignaturesExpireAfter = lifetime };
            var ed = new DkimSigner(new Ed25519PrivateKeyParameters(edSeed), domain, edSelector, DkimSignatureAlgorithm.Ed25519Sha256)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                SignaturesExpireAfter = lifetime,
            };
            var signers = new DkimSigners(rsa, ed);
            _cache[(tenant, domain)] = (signers, now + CacheFor);
            return signers;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rsaPrivate);
            CryptographicOperations.ZeroMemory(edSeed);
        }
    }

    // RFC 6376 §3.6.1 (k=rsa, p = SubjectPublicKeyInfo) and RFC 8463 §4.2 (k=ed25519, p = the raw 32-byte key).
    private static DkimPublicRecords Records(RedisValue[] stored) => new(
        stored[0].ToString(), $"v=DKIM1; k=rsa; p={stored[1]}",
        stored[2].ToString(), $"v=DKIM1; k=ed25519; p={stored[3]}");

    private byte[] Open(byte[] blob, string tenant, string domain, string selector, string algorithm)
    {
        try
        {
            return encryption.Open(blob, KeyEncryption.KeyContext(tenant, domain, selector, algorithm));
        }
        catch (CryptographicException)
        {
            Log.KeyDoesNotDecrypt(logger, tenant, domain);
            throw;
        }
    }

    /// <summary>Hash fields of Keys.DkimKey. *_key fields hold <see cref="KeyEncryption"/> blobs, never plaintext.</summary>
    public static class Fields
    {
        public const string RsaSelector = "rsa_selector";
        public const string RsaKey = "rsa_key";
        public const string RsaPublic = "rsa_public";
        public const string EdSelector = "ed25519_selector";
        public const string EdKey = "ed25519_key";
        public const string EdPublic = "ed25519_public";
    }
}
