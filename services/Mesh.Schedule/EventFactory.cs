using Google.Protobuf.WellKnownTypes;
using Mesh.Events.V1;

namespace Mesh.Schedule;

internal static class EventFactory
{
    public static Event Create(EventType type, string id, string recipient, DateTimeOffset now, uint attempt = 0, DeliveryDetails? details = null) => new()
    {
        Type = type,
        MessageId = id,
        Recipient = recipient,
        Time = Timestamp.FromDateTimeOffset(now),
        Attempt = attempt,
        Details = details,
    };
}
