using System.Collections.Concurrent;
using System.Security.Cryptography;
using Mesh.Store;
using StackExchange.Redis;

namespace Mesh.Sign;

/// <summary>
/// DKIM keys of sending domains. Only the sign service reads or writes them.
/// Keys are cached in memory for a short time so that signing does no store round trip.
/// </summary>
public sealed class DkimKeyStore(MeshStore store, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<(string Tenant, string Domain), (DotNetRsaDkimSigner Signer, DateTimeOffset Until)> _cache = new();

    /// <summary>Creates the domain's key unless it has one; returns its selector and public key.</summary>
    public async Task<(string Selector, string PublicKeyBase64)> CreateAsync(string tenant, string domain)
    {
        var key = Keys.DkimKey(tenant, domain);
        using var rsa = RSA.Create(2048);
        var selector = "mesh" + DateTimeOffset.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        // HSETNX keeps an existing key: adding a domain twice must not change its published record.
        await store.Database.HashSetAsync(key, "selector", selector, When.NotExists);
        await store.Database.HashSetAsync(key, "pem", rsa.ExportRSAPrivateKeyPem(), When.NotExists);
        var stored = await store.Database.HashGetAsync(key, ["selector", "pem"]);
        using var existing = RSA.Create();
        existing.ImportFromPem(stored[1].ToString());
        return (stored[0].ToString(), Convert.ToBase64String(existing.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The signer for a domain, or null when the tenant has no key for it.</summary>
    public async Task<DotNetRsaDkimSigner?> GetSignerAsync(string tenant, string domain)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue((tenant, domain), out var cached) && cached.Until > now)
        {
            return cached.Signer;
        }

        var stored = await store.Database.HashGetAsync(Keys.DkimKey(tenant, domain), ["selector", "pem"]);
        if (stored[0].IsNull || stored[1].IsNull)
        {
            return null;
        }

        var signer = new DotNetRsaDkimSigner(stored[1].ToString(), domain, stored[0].ToString());
        _cache[(tenant, domain)] = (signer, now + CacheFor);
        return signer;
    }
}
