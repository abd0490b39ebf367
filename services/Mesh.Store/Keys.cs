using StackExchange.Redis;

namespace Mesh.Store;

/// <summary>
/// Every key of the store. Tenant keys carry the hash tag {t:tenant} so that one tenant's
/// multi-key scripts stay in one Redis Cluster slot.
/// </summary>
public static class Keys
{
    public const string Tenants = "mesh:tenants";
    public const string Domains = "mesh:domains";
    public const string ApiKeys = "mesh:apikeys";
    public const string AgentTokens = "mesh:agenttokens";

    /// <summary>The sign service's key check value: a fixed marker encrypted under the DKIM key-encryption key.</summary>
    public static readonly RedisKey DkimKekCheck = "mesh:dkim:kekcheck";

    /// <summary>Pub/sub: a tenant has jobs in its ready queue (message: tenant id).</summary>
    public static readonly RedisChannel ReadyChannel = RedisChannel.Literal("mesh:ready");

    /// <summary>Pub/sub: a tenant's schedule changed (message: tenant id).</summary>
    public static readonly RedisChannel ScheduleChannel = RedisChannel.Literal("mesh:schedule");

    public static string Prefix(string tenant) => $"{{t:{tenant}}}:";

    public static RedisKey AgentToken(string id) => $"mesh:agenttoken:{id}";

    public static RedisKey Tenant(string tenant) => Prefix(tenant) + "tenant";

    /// <summary>Field of the tenant hash: "1" when the tenant's TLS policy is required.</summary>
    public const string TenantRequireTls = "require_tls";

    public static RedisKey Delivery(string tenant, string id) => Prefix(tenant) + "d:" + id;

    public static RedisKey Mime(string tenant, string id) => Prefix(tenant) + "mime:" + id;

    public static RedisKey Schedule(string tenant) => Prefix(tenant) + "sched";

    public static RedisKey Ready(string tenant) => Prefix(tenant) + "ready";

    public static RedisKey Leases(string tenant) => Prefix(tenant) + "leases";

    public static RedisKey Idempotency(string tenant, string key) => Prefix(tenant) + "idem:" + key;

    public static RedisKey Events(string tenant) => Prefix(tenant) + "ev";

    public static RedisKey EventSequence(string tenant) => Prefix(tenant) + "evseq";

    public static RedisKey Template(string tenant, string name) => Prefix(tenant) + "tpl:" + name;

    public static RedisKey Templates(string tenant) => Prefix(tenant) + "tpls";

    /// <summary>Unsubscribed recipients, as "list|address" ("|address" for the whole tenant).</summary>
    public static RedisKey Suppressed(string tenant) => Prefix(tenant) + "suppressed";

    public static string SuppressionMember(string list, string address) => $"{list}|{address.ToLowerInvariant()}";

    public static RedisKey Agents(string tenant) => Prefix(tenant) + "agents";

    /// <summary>A domain's DKIM keys (hash; private keys encrypted, see Mesh.Sign.DkimKeyStore.Fields).</summary>
    public static RedisKey DkimKey(string tenant, string domain) => Prefix(tenant) + "dkim:" + domain;

    /// <summary>The tenant's sending domains that VerifyDomain has verified (set).</summary>
    public static RedisKey VerifiedDomains(string tenant) => Prefix(tenant) + "verified";

    public static RedisChannel EventsChannel(string tenant) => RedisChannel.Literal(EventLog.EventsChannelName(tenant));
}
