using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Store;

/// <summary>
/// The one code path to the store: the Redis protocol through StackExchange.Redis, against
/// Redis/Valkey/Garnet servers or the embedded Garnet.
/// </summary>
public sealed class MeshStore : IAsyncDisposable
{
    private readonly EmbeddedGarnet? _embedded;

    public MeshStore(IOptions<StoreOptions> options)
    {
        var o = options.Value;
        string connection;
        if (string.IsNullOrWhiteSpace(o.Redis))
        {
            _embedded = new EmbeddedGarnet(o.DataDir, o.EmbeddedPort);
            connection = _embedded.ConnectionString;
        }
        else
        {
            connection = o.Redis;
        }

        var config = ConfigurationOptions.Parse(connection);
        config.AbortOnConnectFail = false;
        // Come back quickly after a store restart; commands issued meanwhile wait in the backlog.
        config.ReconnectRetryPolicy = new LinearRetry(250);
        Connection = ConnectionMultiplexer.Connect(config);
        Database = Connection.GetDatabase();
    }

    public IConnectionMultiplexer Connection { get; }

    public IDatabase Database { get; }

    public ISubscriber Subscriber => Connection.GetSubscriber();

    public async ValueTask DisposeAsync()
    {
        await Connection.CloseAsync();
        Connection.Dispose();
        _embedded?.Dispose();
    }
}
