using Grpc.Core;
using Mesh.Agent.V1;

namespace Mesh.Tests.EndToEnd;

/// <summary>A hand-driven agent link, for scenarios where an agent misbehaves or dies.</summary>
public sealed class RawAgent : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<AgentMessage, DispatchMessage> _call;

    private RawAgent(AsyncDuplexStreamingCall<AgentMessage, DispatchMessage> call) => _call = call;

    public static async Task<RawAgent> ConnectAsync(MeshStack stack, string token, string agentId, uint credits, uint protocolVersion = 1)
    {
        var client = new AgentLink.AgentLinkClient(stack.Channel);
        var call = client.Connect(new Metadata { { "authorization", "Bearer " + token } });
        try
        {
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = new Hello { ProtocolVersion = protocolVersion, AgentId = agentId } });
            await call.RequestStream.WriteAsync(new AgentMessage { Credit = new Credit { MaxInFlight = credits } });
        }
        catch (RpcException)
        {
            // Dispatch already refused the stream; ReadAsync surfaces the same status.
        }

        return new RawAgent(call);
    }

    /// <summary>The next message from dispatch (welcome first, then jobs).</summary>
    public async Task<DispatchMessage> ReadAsync()
    {
        if (!await _call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            throw new InvalidOperationException("dispatch closed the stream");
        }

        return _call.ResponseStream.Current;
    }

    public Task SendAsync(AgentMessage message) => _call.RequestStream.WriteAsync(message);

    /// <summary>Dies without a word: the stream is cut, nothing is reported.</summary>
    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        return ValueTask.CompletedTask;
    }
}
