using Google.Protobuf.WellKnownTypes;
using Mesh.Events.V1;

namespace Mesh.Schedule;

internal static class EventFactory
{
    /// <summary>An event about <paramref name="delivery"/>, carrying its tags and metadata.</summary>
    public static Event For(EventType type, Mesh.Schedule.V1.Delivery delivery, DateTimeOffset now, uint attempt = 0, DeliveryDetails? details = null)
    {
        var evt = Create(type, delivery.Id, delivery.To.Email, now, attempt, details);
        evt.Tags.AddRange(delivery.Tags);
        evt.Metadata.Add(delivery.Metadata);
        return evt;
    }

    /// <summary>Only the tags and metadata: appended by scripts to events they build (protobuf merges fields).</summary>
    public static Event Extra(Mesh.Schedule.V1.Delivery delivery)
    {
        var evt = new Event();
        evt.Tags.AddRange(delivery.Tags);
        evt.Metadata.Add(delivery.Metadata);
        return evt;
    }

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
