using System.Security.Cryptography;
using System.Text;

namespace Mesh;

/// <summary>API keys and agent tokens are stored only as SHA-256 hashes.</summary>
internal static class SecretHash
{
    public static string Of(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A new random secret with a readable prefix, e.g. "mk_…" for API keys.</summary>
    public static string NewSecret(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The secret from "authorization: Bearer …", or null.</summary>
    public static string? BearerToken(Grpc.Core.Metadata headers)
    {
        var value = headers.GetValue("authorization");
        const string scheme = "Bearer ";
        return value is not null && value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? value[scheme.Length..].Trim()
            : null;
    }
}
