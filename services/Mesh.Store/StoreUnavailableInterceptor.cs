using Grpc.Core;
using Grpc.Core.Interceptors;
using StackExchange.Redis;

namespace Mesh.Store;

/// <summary>
/// An unreachable store is UNAVAILABLE to callers (they retry), not UNKNOWN. This is the one place
/// where store failures become a gRPC status.
/// </summary>
public sealed class StoreUnavailableInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            throw Unavailable(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            throw Unavailable(e);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            throw Unavailable(e);
        }
    }

    private static RpcException Unavailable(Exception e) => new(new Status(StatusCode.Unavailable, "the store is unavailable: " + e.Message));
}
