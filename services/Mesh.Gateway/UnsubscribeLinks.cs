using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway;

/// <summary>What an unsubscribe link stands for.</summary>
public sealed record Unsubscription(string Tenant, string List, string Recipient);

/// <summary>
/// One-click unsubscribe links (RFC 8058): the tenant, list and recipient, signed with HMAC-SHA256
/// under Mesh:Gateway:UnsubscribeKey so that nobody can unsubscribe someone else.
/// </summary>
public sealed class UnsubscribeLinks(IOptions<GatewayOptions> options)
{
    public (string Url, string Mailto) Create(string tenant, string list, string recipient)
    {
        var o = options.Value;
        if (o.PublicBaseUrl is null || string.IsNullOrEmpty(o.UnsubscribeKey))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                "bulk mail needs one-click unsubscribe: set Mesh:Gateway:PublicBaseUrl and Mesh:Gateway:UnsubscribeKey"));
        }

        var payload = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{tenant}\n{list}\n{recipient.ToLowerInvariant()}"));
        var token = $"{payload}.{Sign(payload)}";
        var url = new Uri(o.PublicBaseUrl, "unsubscribe/" + token).ToString();
        var mailto = string.IsNullOrEmpty(o.UnsubscribeMailDomain) ? string.Empty : $"mailto:unsubscribe+{token}@{o.UnsubscribeMailDomain}";
        return (url, mailto);
    }

    /// <summary>The unsubscription a token stands for, or null when it is malformed or forged.</summary>
    public Unsubscription? Read(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || string.IsNullOrEmpty(options.Value.UnsubscribeKey))
        {
            return null;
        }

        var payload = token[..dot];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(payload)), Encoding.ASCII.GetBytes(token[(dot + 1)..])))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(payload)).Split('\n');
        return parts.Length == 3 ? new Unsubscription(parts[0], parts[1], parts[2]) : null;
    }

    private string Sign(string payload) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.UnsubscribeKey!), Encoding.ASCII.GetBytes(payload)));
}
