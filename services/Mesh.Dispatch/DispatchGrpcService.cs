using Grpc.Core;
using Mesh.Dispatch.V1;
using Microsoft.Extensions.Options;

namespace Mesh.Dispatch;

public sealed class DispatchGrpcService(AgentPresence presence, IOptions<DispatchOptions> options) : V1.Dispatch.DispatchBase
{
    public override async Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context) =>
        new() { Agents = { await presence.ListAsync(request.TenantId, options.Value.LeaseDuration) } };
}
