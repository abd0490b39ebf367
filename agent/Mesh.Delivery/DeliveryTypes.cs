using Mesh.Events.V1;
using Mesh.Schedule.V1;

namespace Mesh.Delivery;

/// <summary>One message to deliver to one or more recipients.</summary>
public sealed record DeliveryRequest(string MailFrom, IReadOnlyList<string> Recipients, byte[] Mime);

/// <summary>What happened for one recipient.</summary>
public sealed record RecipientOutcome(string Recipient, Outcome Outcome, DeliveryDetails Details);
