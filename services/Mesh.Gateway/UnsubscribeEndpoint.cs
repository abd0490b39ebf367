using Google.Protobuf.WellKnownTypes;
using Mesh.Events.V1;
using Mesh.Store;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway;

/// <summary>
/// The RFC 8058 one-click endpoint: a POST to the List-Unsubscribe URL suppresses the recipient
/// for the tenant (and list) and emits one unsubscribed event. Repeats change nothing.
/// </summary>
public static class UnsubscribeEndpoint
{
    public static async Task<IResult> PostAsync(string token, UnsubscribeLinks links, MeshStore store, EventLog events, TimeProvider clock)
    {
        if (links.Read(token) is not { } unsubscription)
        {
            return Results.NotFound();
        }

        var added = await store.Database.SetAddAsync(Keys.Suppressed(unsubscription.Tenant),
            Keys.SuppressionMember(unsubscription.List, unsubscription.Recipient));
        if (added)
        {
            await events.AppendAsync(unsubscription.Tenant, new Event
            {
                Type = EventType.Unsubscribed,
                Recipient = unsubscription.Recipient,
                List = unsubscription.List,
                Time = Timestamp.FromDateTimeOffset(clock.GetUtcNow()),
            });
        }

        return Results.Text("You are unsubscribed.\n");
    }
}
