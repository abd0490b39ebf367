using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Mesh.Admin.V1;
using Mesh.Agent;
using Mesh.AllInOne;
using Mesh.Gateway.V1;
using Mesh.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.Tests.EndToEnd;

public enum StoreKind
{
    Redis,
    Garnet,
}

/// <summary>
/// A whole Mesh on loopback: the all-in-one host on real Kestrel (h2c) over a real redis-server
/// or embedded Garnet, plus helpers to create tenants through the admin API and to run agents.
/// </summary>
public sealed class MeshStack : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key";

    /// <summary>The test stack's DKIM key-encryption key (Mesh:Sign:KeyEncryptionKey): base64 of 32 fixed bytes.</summary>
    public static readonly string KeyEncryptionKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private readonly List<IHost> _agents = [];
    private readonly RedisServer? _redis;
    private readonly string _dataDir;
    private readonly Dictionary<string, string?> _settings;
    private WebApplication _app;

    private MeshStack(WebApplication app, RedisServer? redis, string dataDir, Dictionary<string, string?> settings, int port)
    {
        _app = app;
        _redis = redis;
        _dataDir = dataDir;
        _settings = settings;
        Address = new Uri($"http://127.0.0.1:{port}");
        // As an integrator should: retry UNAVAILABLE (a store or host restart) with backoff.
        Channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            ServiceConfig = new ServiceConfig
            {
                MethodConfigs =
                {
                    new MethodConfig
                    {
                        Names = { MethodName.Default },
                        RetryPolicy = new RetryPolicy
                        {
                            MaxAttempts = 5,
                            InitialBackoff = TimeSpan.FromMilliseconds(200),
                            MaxBackoff = TimeSpan.FromSeconds(2),
                            BackoffMultiplier = 2,
                            RetryableStatusCodes = { StatusCode.Unavailable },
                        },
                    },
                },
            },
        });
        Admin = new Admin.V1.Admin.AdminClient(Channel);
    }

    public Uri Address { get; }

    /// <summary>The redis-server under this stack, when it runs on Redis.</summary>
    public RedisServer? Redis => _redis;

    public GrpcChannel Channel { get; }

    public Admin.V1.Admin.AdminClient Admin { get; }

    public static Metadata AdminHeaders { get; } = new() { { "authorization", "Bearer " + AdminKey } };

    public static async Task<MeshStack> StartAsync(StoreKind store, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var redis = store == StoreKind.Redis ? await RedisServer.StartAsync() : null;
        var dataDir = Path.Combine(Path.GetTempPath(), "mesh-test-" + Guid.NewGuid().ToString("N"));
        var port = FreePort.Pick(IPAddress.Loopback);
        var url = $"http://127.0.0.1:{port}";
        var httpUrl = $"http://127.0.0.1:{FreePort.Pick(IPAddress.Loopback)}";
        var settings = ProviderSettings(url, redis?.ConnectionString, dataDir);
        settings["Kestrel:Endpoints:Http:Url"] = httpUrl;
        settings["Kestrel:Endpoints:Http:Protocols"] = "Http1AndHttp2";
        settings["Mesh:Gateway:PublicBaseUrl"] = httpUrl + "/";
        settings["Mesh:Gateway:UnsubscribeKey"] = "test-unsubscribe-key-0123456789abcdef";
        settings["Mesh:Gateway:UnsubscribeMailDomain"] = "unsubscribe.test";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = AllInOneHost.Build([], settings);
        await app.StartAsync().DefaultTimeout();
        return new MeshStack(app, redis, dataDir, settings, port);
    }

    /// <summary>The all-in-one host's configuration for tests: h2c on <paramref name="url"/>, the given store, short retries.</summary>
    public static Dictionary<string, string?> ProviderSettings(string url, string? redis, string dataDir)
    {
        var settings = AllInOneHost.SelfHostedOn(url);
        settings["Mesh:Store:Redis"] = redis;
        settings["Mesh:Store:DataDir"] = dataDir;
        settings["Mesh:Gateway:AdminKey"] = AdminKey;
        settings["Mesh:Sign:KeyEncryptionKey"] = KeyEncryptionKey;
        settings["Mesh:Schedule:FirstRetry"] = "00:00:01";
        settings["Mesh:Schedule:MaxRetry"] = "00:00:02";
        settings["Logging:LogLevel:Default"] = "Warning";
        return settings;
    }

    /// <summary>Stops the provider host and starts it again on the same store and port.</summary>
    public async Task RestartProviderAsync()
    {
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
        _app = AllInOneHost.Build([], _settings);
        await _app.StartAsync().DefaultTimeout();
    }

    /// <summary>
    /// Creates a tenant with a sending domain, an API key and an agent token, all through the admin API.
    /// The tenant is in test mode (it may send before its domain is verified) unless <paramref name="testMode"/> is false.
    /// </summary>
    public async Task<TestTenant> CreateTenantAsync(string domain, bool strictVariables = false, bool testMode = true, bool providerDelivery = false, bool requireTls = false)
    {
        var tenant = await Admin.CreateTenantAsync(new CreateTenantRequest
        {
            Name = domain,
            StrictVariables = strictVariables,
            TestMode = testMode,
            ProviderDelivery = providerDelivery,
            RequireTls = requireTls,
        }, AdminHeaders);
        var dkim = await Admin.AddDomainAsync(new Mesh.Admin.V1.AddDomainRequest { TenantId = tenant.TenantId, Domain = domain }, AdminHeaders);
        var apiKey = await Admin.CreateApiKeyAsync(new CreateApiKeyRequest { TenantId = tenant.TenantId }, AdminHeaders);
        var agentToken = await Admin.CreateAgentTokenAsync(new CreateAgentTokenRequest { TenantId = tenant.TenantId }, AdminHeaders);
        return new TestTenant(tenant.TenantId, domain, dkim, apiKey.Secret, agentToken, new Mail.MailClient(Channel), new Mesh.Gateway.V1.Domains.DomainsClient(Channel));
    }

    /// <summary>Starts an agent bound to <paramref name="source"/> that routes every listed domain to the receiver.</summary>
    public Task<IHost> StartAgentAsync(string token, IPAddress source, SmtpReceiver receiver, string agentId = "agent-1", params string[] domains) =>
        StartAgentAsync(AgentSettings(token, source, receiver, agentId, domains));

    /// <summary>Starts an agent with these settings (see <see cref="AgentSettings"/>).</summary>
    public async Task<IHost> StartAgentAsync(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var agent = AgentHost.Build([], settings, services);
        await agent.StartAsync().DefaultTimeout();
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Stops an agent started by this stack (drain, then dispose).</summary>
    public async Task StopAgentAsync(IHost agent)
    {
        _agents.Remove(agent);
        await agent.StopAsync().DefaultTimeout();
        agent.Dispose();
    }

    /// <summary>
    /// The settings of an agent bound to <paramref name="source"/> that routes every listed domain to
    /// the receiver, with its own journal folder and any sender domain allowed (policy tests narrow it).
    /// </summary>
    public Dictionary<string, string?> AgentSettings(string token, IPAddress source, SmtpReceiver receiver, string agentId = "agent-1", params string[] domains)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Agent:DispatchUrl"] = Address.ToString(),
            ["Agent:Token"] = token,
            ["Agent:AgentId"] = agentId,
            ["Agent:Credits"] = "8",
            ["Agent:InitialBackoff"] = "00:00:00.200",
            ["Agent:MaxBackoff"] = "00:00:01",
            ["Agent:DrainGrace"] = "00:00:05",
            ["Agent:JournalPath"] = Path.Combine(_dataDir, "agent-journal-" + Guid.NewGuid().ToString("N")),
            ["Agent:Policy:AllowAnySenderDomain"] = "true",
            ["Agent:Delivery:SourceAddress"] = source.ToString(),
            ["Agent:Delivery:EhloName"] = "agent.test",
            ["Agent:Delivery:AllowPrivateDestinations"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var domain in domains.DefaultIfEmpty("example.net"))
        {
            settings[$"Agent:Delivery:StaticRoutes:{domain}"] = $"{receiver.EndPoint.Address}:{receiver.Port}";
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.StopAsync().DefaultTimeout();
            agent.Dispose();
        }

        Channel.Dispose();
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}

/// <summary>A tenant made through the admin API, with a Mail client and its credentials.</summary>
public sealed record TestTenant(string Id, string Domain, Admin.V1.Domain Dkim, string ApiKey, Credential AgentToken, Mail.MailClient Mail, Mesh.Gateway.V1.Domains.DomainsClient Domains)
{
    public Metadata Headers => new() { { "authorization", "Bearer " + ApiKey } };
}
