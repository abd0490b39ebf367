using Grpc.Core;
using Mesh.Store;

namespace Mesh.Gateway;

/// <summary>Resolves the tenant of an integrator call from its API key.</summary>
public sealed class ApiKeyAuthenticator(MeshStore store)
{
    public async Task<string> TenantOfAsync(ServerCallContext context)
    {
        var key = SecretHash.BearerToken(context.RequestHeaders);
        if (string.IsNullOrEmpty(key))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "an API key is required (authorization: Bearer <key>)"));
        }

        var entry = await store.Database.HashGetAsync(Keys.ApiKeys, SecretHash.Of(key));
        if (entry.IsNull)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "unknown API key"));
        }

        return ((string)entry!).Split('|', 2)[0];
    }
}
