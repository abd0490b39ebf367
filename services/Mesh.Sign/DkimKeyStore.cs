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
    private static readonly RedisValue[] PublicFields = [Fields.RsaSelector, Fields.RsaPublic, Fields.EdSelector, Fields.EdPublic];
    private static readonly RedisValue[] PrivateFields = [Fields.RsaSelector, Fields.RsaKey, Fields.EdSelector, Fields.EdKey];
    private readonly ConcurrentDictionary<(string Tenant, string Domain), (DkimSigners? Signers, long Generation)> _cache = new();

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

        // All fields or none: adding a domain twice must not change its published records.
        var tx = store.Database.CreateTransaction();
        tx.AddCondition(Condition.KeyNotExists(key));
        _ = tx.HashSetAsync(key, DkimKeyPair.Create(encryption, tenant, domain, string.Empty, rsaSelector, edSelector));
        if (await tx.ExecuteAsync())
        {
            Log.KeysCreated(logger, tenant, domain, rsaSelector, edSelector);
        }

        var stored = await store.Database.HashGetAsync(key, PublicFields);
        if (stored.Any(v => v.IsNull))
        {
            return null;
        }

        return Records(stored);
    }

    /// <summary>
    /// The signers of a domain's active keys, or null when it has none that may sign (none made, or
    /// all revoked). The cache is keyed by the domain's generation, read from the store on every
    /// call, so a rotation or revocation takes effect for the next message on every replica.
    /// Throws <see cref="CryptographicException"/> when a stored key does not decrypt for this tenant and domain.
    /// </summary>
    public async Task<DkimSigners?> GetSignersAsync(string tenant, string domain)
    {
        var key = Keys.DkimKey(tenant, domain);
        var generation = (long?)await store.Database.HashGetAsync(key, Fields.Generation) ?? 0;
        if (_cache.TryGetValue((tenant, domain), out var cached) && cached.Generation == generation)
        {
            return cached.Signers;
        }

        var stored = await store.Database.HashGetAsync(key, [.. PrivateFields, Fields.Generation]);
        var lifetime = options.Value.SignatureLifetime;
        DkimSigner? rsa = null, ed = null;
        if (!stored[0].IsNull && !stored[1].IsNull)
        {
            string rsaSelector = stored[0]!;
            var rsaPrivate = Open((byte[])stored[1]!, tenant, domain, rsaSelector, RsaAlgorithm);
            try
            {
                rsa = new DotNetRsaDkimSigner(rsaPrivate, domain, rsaSelector) { SignaturesExpireAfter = lifetime };
            }
            finally
            {
                CryptographicOperations.ZeroMemory(rsaPrivate);
            }
        }

        if (!stored[2].IsNull && !stored[3].IsNull)
        {
            string edSelector = stored[2]!;
            var edSeed = Open((byte[])stored[3]!, tenant, domain, edSelector, Ed25519Algorithm);
            try
            {
                ed = new DkimSigner(new Ed25519PrivateKeyParameters(edSeed), domain, edSelector, DkimSignatureAlgorithm.Ed25519Sha256)
                {
                    HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                    BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                    SignaturesExpireAfter = lifetime,
                };
            }
            finally
            {
                CryptographicOperations.ZeroMemory(edSeed);
            }
        }

        var signers = rsa is null && ed is null ? null : new DkimSigners(rsa, ed);
        _cache[(tenant, domain)] = (signers, (long?)stored[4] ?? 0);
        return signers;
    }

    // RFC 6376 §3.6.1 (k=rsa, p = SubjectPublicKeyInfo) and RFC 8463 §4.2 (k=ed25519, p = the raw 32-byte key).
    private static DkimPublicRecords Records(RedisValue[] stored) => new(
        stored[0].ToString(), DkimKeyPair.Txt(RsaAlgorithm, stored[1].ToString()),
        stored[2].ToString(), DkimKeyPair.Txt(Ed25519Algorithm, stored[3].ToString()));

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

        /// <summary>Prefix of the pending pair's fields (a rotation not yet seen in DNS).</summary>
        public const string Pending = "pending_";

        /// <summary>Prefix of the previous pair's public fields (replaced, still published until retired).</summary>
        public const string Previous = "previous_";

        /// <summary>When the previous pair was replaced (Unix milliseconds).</summary>
        public const string PreviousSince = "previous_since";

        /// <summary>Revoked selectors, one "selector|algorithm" per line.</summary>
        public const string Revoked = "revoked";

        /// <summary>Every selector the domain ever had, space-separated (written from the first rotation on).</summary>
        public const string Used = "used";

        /// <summary>Incremented by every key change; signers are cached per generation.</summary>
        public const string Generation = "gen";
    }
}
