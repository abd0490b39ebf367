using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Gateway.V1;
using Mesh.Store;
using StackExchange.Redis;

namespace Mesh.Gateway;

/// <summary>
/// A tenant's templates: one hash per template with fields v:N (Content), c:N (created, ms),
/// latest and published, plus a set of names. Versions are never changed once written.
/// </summary>
public sealed class TemplateStore(MeshStore store, TimeProvider clock)
{
    // KEYS: template hash, names set. ARGV: name, content, now, publish(0/1), create(0/1).
    // Returns the new version, 0 when creating a name that exists, -1 when updating one that does not.
    private const string AddVersionScript = """
        local exists = redis.call('EXISTS', KEYS[1]) == 1
        if ARGV[5] == '1' and exists then return 0 end
        if ARGV[5] == '0' and not exists then return -1 end
        local n = redis.call('HINCRBY', KEYS[1], 'latest', 1)
        redis.call('HSET', KEYS[1], 'v:' .. n, ARGV[2], 'c:' .. n, ARGV[3])
        if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'published', n)
        elseif n == 1 then redis.call('HSET', KEYS[1], 'published', 0) end
        redis.call('SADD', KEYS[2], ARGV[1])
        return n
        """;

    // KEYS: template hash. ARGV: version. Returns 1, or 0 when the version does not exist.
    private const string PublishScript = """
        if redis.call('HEXISTS', KEYS[1], 'v:' .. ARGV[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'published', ARGV[1])
        return 1
        """;

    private IDatabase Db => store.Database;

    public async Task<Template> AddVersionAsync(string tenant, string name, Content content, bool publish, bool create)
    {
        var version = (long)await Db.ScriptEvaluateAsync(AddVersionScript, [Keys.Template(tenant, name), Keys.Templates(tenant)],
            [name, content.ToByteArray(), clock.GetUtcNow().ToUnixTimeMilliseconds(), publish ? "1" : "0", create ? "1" : "0"]);
        return version switch
        {
            0 => throw new RpcException(new Status(StatusCode.AlreadyExists, $"template '{name}' already exists")),
            -1 => throw NotFound(name),
            _ => await GetAsync(tenant, name, (uint)version),
        };
    }

    /// <summary>One version (the latest for 0), or NOT_FOUND.</summary>
    public async Task<Template> GetAsync(string tenant, string name, uint version)
    {
        var head = await Db.HashGetAsync(Keys.Template(tenant, name), ["latest", "published"]);
        if (head[0].IsNull)
        {
            throw NotFound(name);
        }

        var latest = (uint)(long)head[0];
        var wanted = version == 0 ? latest : version;
        var fields = await Db.HashGetAsync(Keys.Template(tenant, name), ["v:" + wanted, "c:" + wanted]);
        if (fields[0].IsNull)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"template '{name}' has no version {wanted}"));
        }

        return new Template
        {
            Name = name,
            Version = wanted,
            Content = Content.Parser.ParseFrom((byte[])fields[0]!),
            LatestVersion = latest,
            PublishedVersion = (uint)(long)head[1],
            CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds((long)fields[1])),
        };
    }

    /// <summary>The content Send uses for a reference: the named version, or the published one.</summary>
    public async Task<Content> ResolveAsync(string tenant, TemplateRef reference)
    {
        var version = reference.Version;
        if (version == 0)
        {
            var published = await Db.HashGetAsync(Keys.Template(tenant, reference.Name), "published");
            if (published.IsNull)
            {
                throw NotFound(reference.Name);
            }

            version = (uint)(long)published;
            if (version == 0)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"template '{reference.Name}' has no published version"));
            }
        }

        return (await GetAsync(tenant, reference.Name, version)).Content;
    }

    public async Task<IReadOnlyList<Template>> ListAsync(string tenant)
    {
        var names = (await Db.SetMembersAsync(Keys.Templates(tenant))).Select(n => (string)n!).Order(StringComparer.Ordinal);
        var templates = new List<Template>();
        foreach (var name in names)
        {
            templates.Add(await GetAsync(tenant, name, 0));
        }

        return templates;
    }

    public async Task<Template> PublishAsync(string tenant, string name, uint version)
    {
        if ((long)await Db.ScriptEvaluateAsync(PublishScript, [Keys.Template(tenant, name)], [version]) == 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"template '{name}' has no version {version}"));
        }

        return await GetAsync(tenant, name, version);
    }

    public async Task DeleteAsync(string tenant, string name)
    {
        var tx = Db.CreateTransaction();
        var deleted = tx.KeyDeleteAsync(Keys.Template(tenant, name));
        _ = tx.SetRemoveAsync(Keys.Templates(tenant), name);
        await tx.ExecuteAsync();
        if (!await deleted)
        {
            throw NotFound(name);
        }
    }

    private static RpcException NotFound(string name) => new(new Status(StatusCode.NotFound, $"no template '{name}'"));
}
