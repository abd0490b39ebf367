namespace Mesh.Sign;

/// <summary>Why a key lifecycle change was refused; SignGrpcService maps it to a gRPC status.</summary>
public enum KeyStateError
{
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    Conflict,
}

/// <summary>A key lifecycle change that was refused and changed nothing.</summary>
public sealed class KeyStateException(KeyStateError error, string message) : Exception(message)
{
    public KeyStateError Error { get; } = error;
}
