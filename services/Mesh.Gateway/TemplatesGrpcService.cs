using Google.Protobuf;
using Grpc.Core;
using Mesh.Gateway.V1;
using Mesh.Render.V1;
using Mesh.Schedule.V1;

namespace Mesh.Gateway;

/// <summary>Stored, versioned templates of the caller's tenant, and test rendering.</summary>
public sealed class TemplatesGrpcService(
    ApiKeyAuthenticator authenticator,
    SendValidator validator,
    TemplateStore templates,
    Render.V1.Render.RenderClient render) : V1.Templates.TemplatesBase
{
    public override async Task<Template> CreateTemplate(CreateTemplateRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        await CheckAsync(request.Name, request.Content);
        return await templates.AddVersionAsync(tenant, request.Name, request.Content, request.Publish, create: true);
    }

    public override async Task<Template> UpdateTemplate(UpdateTemplateRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        await CheckAsync(request.Name, request.Content);
        return await templates.AddVersionAsync(tenant, request.Name, request.Content, request.Publish, create: false);
    }

    public override async Task<Template> GetTemplate(GetTemplateRequest request, ServerCallContext context) =>
        await templates.GetAsync(await authenticator.TenantOfAsync(context), request.Name, request.Version);

    public override async Task<ListTemplatesResponse> ListTemplates(ListTemplatesRequest request, ServerCallContext context) =>
        new() { Templates = { await templates.ListAsync(await authenticator.TenantOfAsync(context)) } };

    public override async Task<DeleteTemplateResponse> DeleteTemplate(DeleteTemplateRequest request, ServerCallContext context)
    {
        await templates.DeleteAsync(await authenticator.TenantOfAsync(context), request.Name);
        return new DeleteTemplateResponse();
    }

    public override async Task<Template> PublishVersion(PublishVersionRequest request, ServerCallContext context) =>
        await templates.PublishAsync(await authenticator.TenantOfAsync(context), request.Name, request.Version);

    public override async Task<TestRenderResponse> TestRender(TestRenderRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        var errors = new FieldErrors();
        await validator.CheckAddressesAsync(errors, tenant, request.From, request.To, request.ReplyTo);
        SendValidator.CheckHeaders(errors, request.Headers);
        if (request.Template is null)
        {
            await validator.CheckContentAsync(errors, request.Content, "content");
        }
        else
        {
            SendValidator.CheckTemplateName(errors, "template.name", request.Template.Name);
        }

        errors.ThrowIfAny();
        await validator.RequireVerifiedSenderAsync(tenant, request.From.Email);
        var content = request.Template is null ? request.Content : await templates.ResolveAsync(tenant, request.Template);
        var rendered = await render.RenderAsync(new RenderRequest
        {
            Delivery = new Delivery
            {
                Id = "test-render",
                TenantId = tenant,
                From = request.From,
                To = request.To,
                Content = content,
                Variables = request.Variables,
                ReplyTo = request.ReplyTo,
                Headers = { request.Headers },
            },
        }, cancellationToken: context.CancellationToken);
        return new TestRenderResponse { Mime = rendered.Mime };
    }

    private async Task CheckAsync(string name, Content? content)
    {
        var errors = new FieldErrors();
        SendValidator.CheckTemplateName(errors, "name", name);
        await validator.CheckContentAsync(errors, content, "content");
        errors.ThrowIfAny();
    }
}
