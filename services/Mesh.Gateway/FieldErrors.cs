using Google.Rpc;
using Grpc.Core;

namespace Mesh.Gateway;

/// <summary>Collects every bad field of a request, then fails once with google.rpc.BadRequest details.</summary>
public sealed class FieldErrors
{
    private readonly BadRequest _badRequest = new();

    public bool Any => _badRequest.FieldViolations.Count > 0;

    public void Add(string field, string description) =>
        _badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw ToStatus().ToRpcException();
        }
    }

    /// <summary>INVALID_ARGUMENT with every violation as google.rpc.BadRequest.</summary>
    public Google.Rpc.Status ToStatus() => new()
    {
        Code = (int)Code.InvalidArgument,
        Message = string.Join("; ", _badRequest.FieldViolations.Select(v => $"{v.Field}: {v.Description}")),
        Details = { Google.Protobuf.WellKnownTypes.Any.Pack(_badRequest) },
    };

    public void AddRange(FieldErrors other) => _badRequest.FieldViolations.Add(other._badRequest.FieldViolations);
}
