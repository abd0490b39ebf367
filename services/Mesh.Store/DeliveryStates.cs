namespace Mesh.Store;

/// <summary>The state field of a delivery hash.</summary>
public static class DeliveryStates
{
    public const string Scheduled = "scheduled";
    public const string Queued = "queued";
    public const string Dispatched = "dispatched";
    public const string Delivered = "delivered";
    public const string Bounced = "bounced";
    public const string Expired = "expired";
    public const string Canceled = "canceled";
    public const string RejectedByAgentPolicy = "rejected_by_agent_policy";
    public const string PossiblyDelivered = "possibly_delivered";
    public const string Suppressed = "suppressed";
}
