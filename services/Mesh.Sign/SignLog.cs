using Microsoft.Extensions.Logging;

namespace Mesh.Sign;

/// <summary>The sign service's log messages. Never a key, only names and selectors.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "DKIM key-encryption key check written to {Key} (first start on this store)")]
    public static partial void KeyCheckWritten(ILogger logger, string key);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "The configured key-encryption key does not open the key check at {Key}: it is not the KEK of this store")]
    public static partial void WrongKeyEncryptionKey(ILogger logger, string key);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Tenant {Tenant}: DKIM keys created for {Domain}, selectors {RsaSelector} (rsa) and {Ed25519Selector} (ed25519)")]
    public static partial void KeysCreated(ILogger logger, string tenant, string domain, string rsaSelector, string ed25519Selector);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Tenant {Tenant}: the stored DKIM key of {Domain} does not decrypt (corrupted, or copied from another tenant or domain)")]
    public static partial void KeyDoesNotDecrypt(ILogger logger, string tenant, string domain);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Tenant {Tenant}: DKIM rotation of {Domain} started, pending selectors {RsaSelector} (rsa) and {Ed25519Selector} (ed25519)")]
    public static partial void KeysRotated(ILogger logger, string tenant, string domain, string rsaSelector, string ed25519Selector);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Tenant {Tenant}: DKIM selectors {Selectors} of {Domain} now sign")]
    public static partial void KeysActivated(ILogger logger, string tenant, string domain, string selectors);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Tenant {Tenant}: DKIM selectors {Selectors} of {Domain} retired; their records can be removed")]
    public static partial void KeysRetired(ILogger logger, string tenant, string domain, string selectors);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Tenant {Tenant}: DKIM selector {Selector} of {Domain} revoked")]
    public static partial void KeyRevoked(ILogger logger, string tenant, string domain, string selector);
}
