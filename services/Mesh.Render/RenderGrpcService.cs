using Google.Protobuf;
using Grpc.Core;
using Mesh.Render.V1;
using MimeKit;

namespace Mesh.Render;

public sealed class RenderGrpcService(MessageBuilder builder, TemplateEngine templates) : V1.Render.RenderBase
{
    public override async Task<RenderResponse> Render(RenderRequest request, ServerCallContext context)
    {
        MimeMessage message;
        try
        {
            message = builder.Build(request.Delivery, context.CancellationToken);
        }
        catch (TemplateException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "template: " + e.Message));
        }
        catch (RenderException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{e.Field}: {e.Message}"));
        }

        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        // RFC 6531: keep UTF-8 addresses as they are when the delivery needs SMTPUTF8.
        format.International = request.Delivery.Smtputf8;
        using var output = new MemoryStream();
        await message.WriteToAsync(format, output, context.CancellationToken);
        return new RenderResponse { Mime = UnsafeByteOperations.UnsafeWrap(output.ToArray()) };
    }

    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var response = new CheckResponse();
        var prefix = string.IsNullOrEmpty(request.FieldPrefix) ? "content" : request.FieldPrefix;
        var variables = request.Variables is null ? null : TemplateEngine.ToVariables(request.Variables);
        foreach (var (field, source, html) in new[] { ("subject", request.Content?.Subject, false), ("html", request.Content?.Html, true), ("text", request.Content?.Text, false) })
        {
            if (string.IsNullOrEmpty(source))
            {
                continue;
            }

            try
            {
                templates.Parse(source);
            }
            catch (TemplateException e)
            {
                response.Problems.Add(new TemplateProblem { Field = $"{prefix}.{field}", Description = e.Message });
                continue;
            }

            if (variables is not null)
            {
                try
                {
                    templates.Render(source, variables, html, strictVariables: true, context.CancellationToken);
                }
                catch (TemplateException e)
                {
                    response.Problems.Add(new TemplateProblem { Field = request.VariablesField, Description = $"{prefix}.{field}: {e.Message}" });
                }
            }
        }

        return Task.FromResult(response);
    }
}
