namespace Mesh.Tests.Infrastructure;

/// <summary>
/// One <see cref="RedisServer"/> shared by the tests of a collection. Tests sharing it must
/// use their own keys (or their own database number).
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? server;

    public RedisServer Server => server ?? throw new InvalidOperationException("The Redis fixture has not been initialised.");

    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => server = await RedisServer.StartAsync().DefaultTimeout();

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
