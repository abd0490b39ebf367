using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Schedule.V1;
using Mesh.Store;
using Microsoft.Extensions.Options;

namespace Mesh.Schedule;

public sealed class ScheduleGrpcService(DeliveryQueue queue, ScheduleMetrics metrics, IOptions<ScheduleOptions> options, TimeProvider clock) : V1.Schedule.ScheduleBase
{
    public override async Task<EnqueueResponse> Enqueue(EnqueueRequest request, ServerCallContext context)
    {
        var now = clock.GetUtcNow();
        var response = new SendResponse();
        var deliveries = new List<DeliveryQueue.NewDelivery>(request.Deliveries.Count);
        foreach (var d in request.Deliveries)
        {
            var sendAt = d.SendAt?.ToDateTimeOffset() ?? now;
            var due = sendAt > now ? sendAt : now;
            var accepted = EventFactory.For(EventType.Accepted, d, now);
            var scheduled = sendAt > now ? EventFactory.For(EventType.Scheduled, d, now) : null;
            // The give-up time counts from when the delivery may first be tried.
            d.ExpiresAt ??= Timestamp.FromDateTimeOffset(due + options.Value.MaxAge);
            d.CreatedAt ??= Timestamp.FromDateTimeOffset(now);
            // Unsubscribes stop bulk mail only; transactional mail (a password reset) still goes.
            var bulk = !string.IsNullOrEmpty(d.ListUnsubscribeUrl);
            var suppressed = EventFactory.For(EventType.Suppressed, d, now);
            suppressed.List = d.List;
            suppressed.Details = new DeliveryDetails { Reply = "the recipient unsubscribed; not sent" };
            deliveries.Add(new(d.Id, d.ToByteArray(), d.To.Email, d.From.Email, due, d.ExpiresAt.ToDateTimeOffset(), accepted, scheduled,
                bulk ? d.List : null, suppressed, EventFactory.Extra(d).ToByteArray(), d.Smtputf8));
            response.Deliveries.Add(new Accepted { Recipient = d.To.Email, MessageId = d.Id });
        }

        var key = string.IsNullOrEmpty(request.IdempotencyKey) ? null : request.IdempotencyKey;
        var previous = await queue.EnqueueAsync(request.TenantId, deliveries, key, response.ToByteArray(), now, options.Value.Retention);
        return previous is null
            ? new EnqueueResponse { Response = response }
            : new EnqueueResponse { Response = SendResponse.Parser.ParseFrom(previous), Replayed = true };
    }

    public override async Task<ReportResultResponse> ReportResult(ReportResultRequest request, ServerCallContext context)
    {
        var delivery = await queue.GetAsync(request.TenantId, request.DeliveryId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, "unknown delivery"));
        var record = Delivery.Parser.ParseFrom(delivery.Record);
        var now = clock.GetUtcNow();
        var o = options.Value;
        DateTimeOffset? due = null;
        (string state, EventType type) = request.Outcome switch
        {
            Outcome.Delivered => (DeliveryStates.Delivered, EventType.Delivered),
            Outcome.Bounced => (DeliveryStates.Bounced, EventType.Bounced),
            Outcome.PossiblyDelivered => (DeliveryStates.PossiblyDelivered, EventType.PossiblyDelivered),
            Outcome.RejectedByAgentPolicy => (DeliveryStates.RejectedByAgentPolicy, EventType.RejectedByAgentPolicy),
            Outcome.Deferred => (DeliveryStates.Scheduled, EventType.Deferred),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "outcome is required")),
        };

        var evt = EventFactory.For(type, record, now, request.Attempt, request.Details);
        if (request.Outcome == Outcome.Deferred)
        {
            var next = now + o.RetryDelay(request.Attempt);
            if (next > delivery.Expires)
            {
                // RFC 5321 §4.5.4.1: give up once the next try would fall after the give-up time.
                (state, evt.Type) = (DeliveryStates.Expired, EventType.Expired);
            }
            else
            {
                due = next;
                evt.NextAttemptAt = Timestamp.FromDateTimeOffset(next);
            }
        }

        var applied = await queue.ReportAsync(request.TenantId, request.DeliveryId, request.Attempt, state, evt, due, now, o.Retention);
        if (applied)
        {
            metrics.Recorded(evt.Type == EventType.Deferred ? "deferred" : state, record.CreatedAt?.ToDateTimeOffset(), now, final: due is null);
        }

        return new ReportResultResponse { Applied = applied };
    }

    public override async Task<HandBackResponse> HandBack(HandBackRequest request, ServerCallContext context) =>
        new() { Applied = await queue.HandBackAsync(request.TenantId, request.DeliveryId, request.Attempt) };
}
