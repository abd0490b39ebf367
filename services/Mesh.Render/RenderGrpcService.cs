using Google.Protobuf;
using Grpc.Core;
using HandlebarsDotNet;
using Mesh.Render.V1;
using MimeKit;

namespace Mesh.Render;

public sealed class RenderGrpcService(MessageBuilder builder) : V1.Render.RenderBase
{
    public override async Task<RenderResponse> Render(RenderRequest request, ServerCallContext context)
    {
        MimeMessage message;
        try
        {
            message = builder.Build(request.Delivery);
        }
        catch (HandlebarsException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "template: " + e.Message));
        }
        catch (RenderException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{e.Field}: {e.Message}"));
        }

        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var output = new MemoryStream();
        await message.WriteToAsync(format, output, context.CancellationToken);
        return new RenderResponse { Mime = UnsafeByteOperations.UnsafeWrap(output.ToArray()) };
    }
}
