using Mesh.Events.V1;
using Mesh.Schedule.V1;

namespace Mesh.Delivery;

/// <summary>
/// One message to deliver to one or more recipients. <paramref name="Smtputf8"/>: an address needs
/// RFC 6531. <paramref name="RequireTls"/>: never send in plaintext (the tenant's TLS policy).
/// </summary>
public sealed record DeliveryRequest(string MailFrom, IReadOnlyList<string> Recipients, byte[] Mime, bool Smtputf8 = false, bool RequireTls = false)
{
    /// <summary>Set under an MTA-STS enforce policy: the MX certificate must be valid for its name.</summary>
    public bool ValidateCertificate { get; init; }
}

/// <summary>What happened for one recipient.</summary>
public sealed record RecipientOutcome(string Recipient, Outcome Outcome, DeliveryDetails Details);
