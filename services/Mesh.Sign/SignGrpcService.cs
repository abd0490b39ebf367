using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Mesh.Sign.V1;
using MimeKit;

namespace Mesh.Sign;

public sealed class SignGrpcService(DkimKeyStore keys, DkimKeyLifecycle lifecycle) : V1.Sign.SignBase
{
    public override Task<DomainKeys> GetKeys(KeysRequest request, ServerCallContext context) =>
        Edge(() => lifecycle.GetAsync(request.TenantId, request.Domain.ToLowerInvariant()));

    public override Task<DomainKeys> RotateKeys(RotateKeysRequest request, ServerCallContext context) =>
        Edge(() => lifecycle.RotateAsync(request.TenantId, request.Domain.ToLowerInvariant(), request.SelectorPrefix));

    public override Task<DomainKeys> ActivatePending(KeysRequest request, ServerCallContext context) =>
        Edge(() => lifecycle.ActivateAsync(request.TenantId, request.Domain.ToLowerInvariant()));

    public override Task<DomainKeys> RevokeKey(RevokeKeyRequest request, ServerCallContext context) =>
        Edge(() => lifecycle.RevokeAsync(request.TenantId, request.Domain.ToLowerInvariant(), request.Selector));

    private static async Task<DomainKeys> Edge(Func<Task<DomainKeys>> change)
    {
        try
        {
            return await change();
        }
        catch (KeyStateException e)
        {
            var code = e.Error switch
            {
                KeyStateError.NotFound => StatusCode.NotFound,
                KeyStateError.AlreadyExists => StatusCode.AlreadyExists,
                KeyStateError.Conflict => StatusCode.Aborted,
                _ => StatusCode.FailedPrecondition,
            };
            throw new RpcException(new Status(code, e.Message));
        }
    }

    public override async Task<CreateKeyResponse> CreateKey(CreateKeyRequest request, ServerCallContext context)
    {
        var domain = request.Domain.ToLowerInvariant();
        var records = await keys.CreateAsync(request.TenantId, domain) ?? throw OldFormat(domain);
        return new CreateKeyResponse
        {
            Selector = records.RsaSelector,
            DnsTxt = records.RsaTxt,
            Ed25519Selector = records.Ed25519Selector,
            Ed25519DnsTxt = records.Ed25519Txt,
        };
    }

    public override async Task<SignResponse> Sign(SignRequest request, ServerCallContext context)
    {
        var domain = request.Domain.ToLowerInvariant();
        DkimSigners? signers;
        try
        {
            signers = await keys.GetSignersAsync(request.TenantId, domain);
        }
        catch (CryptographicException)
        {
            // The KEK was checked at start-up, so this key was corrupted or moved: retrying cannot help.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the DKIM key of domain {request.Domain} cannot be decrypted"));
        }

        if (signers is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"no DKIM key for domain {request.Domain}"));
        }

        using var input = new MemoryStream(request.Mime.Memory.ToArray(), writable: false);
        var message = await MimeMessage.LoadAsync(input, context.CancellationToken);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        signers.Sign(format, message);
        using var output = new MemoryStream();
        await message.WriteToAsync(format, output, context.CancellationToken);
        return new SignResponse { Mime = UnsafeByteOperations.UnsafeWrap(output.ToArray()) };
    }

    private static RpcException OldFormat(string domain) =>
        new(new Status(StatusCode.FailedPrecondition, $"the DKIM key of domain {domain} is stored in an older format without Ed25519 or encryption"));
}
