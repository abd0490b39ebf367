using Google.Protobuf;
using Grpc.Core;
using HandlebarsDotNet;
using Mesh.Render.V1;
using MimeKit;

namespace Mesh.Render;

public sealed partial class RenderGrpcService(MessageBuilder builder, TemplateEngine templates) : V1.Render.RenderBase
{
    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var response = new CheckResponse();
        var prefix = string.IsNullOrEmpty(request.FieldPrefix) ? "content" : request.FieldPrefix;
        foreach (var (field, source) in new[] { ("subject", request.Content?.Subject), ("html", request.Content?.Html), ("text", request.Content?.Text) })
        {
            if (string.IsNullOrEmpty(source))
            {
                continue;
            }

            try
            {
                templates.Check(source);
            }
            catch (HandlebarsException e)
            {
                response.Problems.Add(new TemplateProblem { Field = $"{prefix}.{field}", Description = Describe(e) });
            }
        }

        return Task.FromResult(response);
    }

    /// <summary>"line L, column C: what" when Handlebars.Net gives the position ("Occured at: L:C").</summary>
    private static string Describe(HandlebarsException e)
    {
        var position = PositionPattern().Match(e.Message);
        var what = e.Message[..(position.Success ? position.Index : e.Message.Length)].Trim();
        return position.Success
            ? $"template syntax error at line {position.Groups[1].Value}, column {position.Groups[2].Value}: {what}"
            : $"template syntax error: {what}";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Occured at:\s*(\d+):(\d+)")]
    private static partial System.Text.RegularExpressions.Regex PositionPattern();

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
