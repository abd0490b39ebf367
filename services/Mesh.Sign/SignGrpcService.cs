using Google.Protobuf;
using Grpc.Core;
using Mesh.Sign.V1;
using MimeKit;

namespace Mesh.Sign;

public sealed class SignGrpcService(DkimKeyStore keys) : V1.Sign.SignBase
{
    // RFC 6376 §5.4.1 lists From as required; the rest are those whose change would alter
    // what the reader sees. From is listed twice (oversigned) so that a second From cannot be added.
    private static readonly HeaderId[] SignedHeaders =
    [
        HeaderId.From, HeaderId.From, HeaderId.To, HeaderId.Cc, HeaderId.ReplyTo, HeaderId.Subject, HeaderId.Date,
        HeaderId.MessageId, HeaderId.MimeVersion, HeaderId.ContentType, HeaderId.ContentTransferEncoding,
        HeaderId.ListUnsubscribe, HeaderId.ListUnsubscribePost,
    ];

    public override async Task<CreateKeyResponse> CreateKey(CreateKeyRequest request, ServerCallContext context)
    {
        var (selector, publicKey) = await keys.CreateAsync(request.TenantId, request.Domain.ToLowerInvariant());
        return new CreateKeyResponse { Selector = selector, DnsTxt = $"v=DKIM1; k=rsa; p={publicKey}" };
    }

    public override async Task<SignResponse> Sign(SignRequest request, ServerCallContext context)
    {
        var signer = await keys.GetSignerAsync(request.TenantId, request.Domain.ToLowerInvariant())
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"no DKIM key for domain {request.Domain}"));
        using var input = new MemoryStream(request.Mime.Memory.ToArray(), writable: false);
        var message = await MimeMessage.LoadAsync(input, context.CancellationToken);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        signer.Sign(format, message, SignedHeaders);
        using var output = new MemoryStream();
        await message.WriteToAsync(format, output, context.CancellationToken);
        return new SignResponse { Mime = UnsafeByteOperations.UnsafeWrap(output.ToArray()) };
    }
}
