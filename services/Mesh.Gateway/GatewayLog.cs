using Microsoft.Extensions.Logging;

namespace Mesh.Gateway;

/// <summary>The gateway's log messages. Names and selectors only, never keys or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Tenant {Tenant}: sending domain {Domain} added")]
    public static partial void DomainAdded(ILogger logger, string tenant, string domain);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Tenant {Tenant}: sending domain {Domain} verified (its DKIM records are in DNS)")]
    public static partial void DomainVerified(ILogger logger, string tenant, string domain);
}
