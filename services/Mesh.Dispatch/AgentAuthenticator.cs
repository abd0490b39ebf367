using Grpc.Core;
using Mesh.Store;

namespace Mesh.Dispatch;

/// <summary>An authenticated agent token: the tenant it belongs to and the token's id.</summary>
public sealed record AgentIdentity(string Tenant, string TokenId);

/// <summary>Checks the agent token of a Connect call against the stored hashes.</summary>
public sealed class AgentAuthenticator(MeshStore store)
{
    public async Task<AgentIdentity> AuthenticateAsync(ServerCallContext context)
    {
        var token = SecretHash.BearerToken(context.RequestHeaders);
        if (string.IsNullOrEmpty(token))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "an agent token is required (authorization: Bearer <token>)"));
        }

        var entry = await store.Database.HashGetAsync(Keys.AgentTokens, SecretHash.Of(token));
        if (entry.IsNull)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "unknown or revoked agent token"));
        }

        var parts = ((string)entry!).Split('|', 2);
        return new AgentIdentity(parts[0], parts[1]);
    }
}
