namespace Mesh.Delivery;

/// <summary>A host to try for a domain, in preference order.</summary>
public sealed record MailHost(string Host, int Port);

/// <summary>Where mail for a domain goes.</summary>
public abstract record RouteResult
{
    /// <summary>Hosts to try in order.</summary>
    public sealed record Hosts(IReadOnlyList<MailHost> List) : RouteResult;

    /// <summary>The domain accepts no mail (RFC 7505 null MX, or it does not exist): a permanent failure.</summary>
    public sealed record NoMail(string Reason, string EnhancedCode) : RouteResult;

    /// <summary>DNS could not answer now: a temporary failure.</summary>
    public sealed record TryLater(string Reason) : RouteResult;
}

/// <summary>Finds the hosts that receive mail for a domain. Replaced in tests and for smarthosts.</summary>
public interface IMailRouter
{
    Task<RouteResult> RouteAsync(string domain, CancellationToken ct);

    /// <summary>The addresses a host name resolves to (for the destination policy and connecting).</summary>
    Task<IReadOnlyList<System.Net.IPAddress>> AddressesAsync(string host, CancellationToken ct);
}
