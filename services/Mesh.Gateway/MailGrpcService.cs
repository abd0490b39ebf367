using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Schedule.V1;
using Mesh.Store;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway;

/// <summary>The integrator API: Send, GetMessage and StreamEvents.</summary>
public sealed class MailGrpcService(
    ApiKeyAuthenticator authenticator,
    SendValidator validator,
    TemplateStore templates,
    UnsubscribeLinks unsubscribeLinks,
    DeliveryQueue queue,
    EventLog events,
    MeshStore store,
    Schedule.V1.Schedule.ScheduleClient schedule,
    IHostApplicationLifetime lifetime) : Mail.MailBase
{
    private const int EventBatch = 256;

    public override async Task<SendResponse> Send(SendRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        await validator.ValidateAsync(tenant, request);
        var content = await ContentOfAsync(tenant, request);
        var enqueue = new EnqueueRequest { TenantId = tenant, IdempotencyKey = request.IdempotencyKey };
        enqueue.Deliveries.AddRange(request.To.Select(r => NewDelivery(tenant, request, r, content)));
        var problems = await validator.VariableProblemsAsync(tenant, content, enqueue.Deliveries, [.. request.To.Select((_, i) => $"to[{i}].variables")]);
        var errors = new FieldErrors();
        foreach (var problem in problems.OrderBy(p => p.Key))
        {
            errors.AddRange(problem.Value);
        }

        errors.ThrowIfAny();

        // Schedule answers only once every delivery is in the store's durable log.
        var reply = await schedule.EnqueueAsync(enqueue, cancellationToken: context.CancellationToken);
        return reply.Response;
    }

    public override async Task<SendBatchResponse> SendBatch(SendRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        await validator.ValidateAsync(tenant, request, recipients: false);
        var content = await ContentOfAsync(tenant, request);
        var results = new BatchResult[request.To.Count];
        var accepted = new List<(int Index, Delivery Delivery)>();
        for (var i = 0; i < request.To.Count; i++)
        {
            results[i] = new BatchResult { Recipient = request.To[i].Address?.Email ?? string.Empty };
            if (SendValidator.RecipientProblem(i, request.To[i]) is { } problem)
            {
                results[i].Error = problem.ToStatus();
                continue;
            }

            accepted.Add((i, NewDelivery(tenant, request, request.To[i], content)));
        }

        var problems = await validator.VariableProblemsAsync(tenant, content, [.. accepted.Select(a => a.Delivery)],
            [.. accepted.Select(a => $"to[{a.Index}].variables")]);
        var enqueue = new EnqueueRequest { TenantId = tenant, IdempotencyKey = request.IdempotencyKey };
        for (var k = 0; k < accepted.Count; k++)
        {
            if (problems.TryGetValue(k, out var problem))
            {
                results[accepted[k].Index].Error = problem.ToStatus();
            }
            else
            {
                enqueue.Deliveries.Add(accepted[k].Delivery);
                results[accepted[k].Index].MessageId = accepted[k].Delivery.Id;
            }
        }

        if (enqueue.Deliveries.Count > 0)
        {
            var reply = await schedule.EnqueueAsync(enqueue, cancellationToken: context.CancellationToken);
            if (reply.Replayed)
            {
                // A retried batch: the recipients accepted the first time keep their first ids.
                var first = reply.Response.Deliveries.GroupBy(d => d.Recipient).ToDictionary(g => g.Key, g => new Queue<string>(g.Select(d => d.MessageId)));
                foreach (var result in results.Where(r => r.Error is null))
                {
                    result.MessageId = first.TryGetValue(result.Recipient, out var ids) && ids.Count > 0 ? ids.Dequeue() : string.Empty;
                }
            }
        }

        return new SendBatchResponse { Results = { results } };
    }

    /// <summary>The inline content, or a stored template resolved now: later edits do not change accepted messages.</summary>
    private async Task<Content> ContentOfAsync(string tenant, SendRequest request) =>
        request.Template is null ? request.Content : await templates.ResolveAsync(tenant, request.Template);

    private Delivery NewDelivery(string tenant, SendRequest request, Recipient recipient, Content content)
    {
        var variables = request.Variables?.Clone() ?? new Struct();
        if (recipient.Variables is not null)
        {
            foreach (var (name, value) in recipient.Variables.Fields)
            {
                variables.Fields[name] = value;
            }
        }

        var (unsubscribeUrl, unsubscribeMailto) = request.Bulk
            ? unsubscribeLinks.Create(tenant, request.List, recipient.Address.Email)
            : (string.Empty, string.Empty);
        return new Delivery
        {
            Id = NewMessageId(),
            TenantId = tenant,
            From = request.From,
            To = recipient.Address,
            ReplyTo = request.ReplyTo,
            Content = content,
            Variables = variables,
            Headers = { request.Headers },
            SendAt = request.SendAt,
            ListUnsubscribeUrl = unsubscribeUrl,
            ListUnsubscribeMailto = unsubscribeMailto,
            List = request.List,
            Tags = { request.Tags },
            Metadata = { request.Metadata },
            Smtputf8 = NeedsSmtpUtf8(request.From.Email) || NeedsSmtpUtf8(recipient.Address.Email),
        };
    }

    public override async Task<Message> GetMessage(GetMessageRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        // The key is scoped by tenant: another tenant's id is simply not found (no existence leak).
        var stored = string.IsNullOrEmpty(request.MessageId) ? null : await queue.GetAsync(tenant, request.MessageId);
        if (stored is null)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, $"no message '{request.MessageId}'"));
        }

        var delivery = Delivery.Parser.ParseFrom(stored.Record);
        return new Message
        {
            MessageId = stored.Id,
            Recipient = delivery.To.Email,
            From = delivery.From.Email,
            State = StateOf(stored.State),
            Attempts = stored.Attempt,
            CreatedAt = delivery.CreatedAt,
            ExpiresAt = Timestamp.FromDateTimeOffset(stored.Expires),
            LastResult = stored.Last,
        };
    }

    public override async Task StreamEvents(StreamEventsRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        // A stopping host ends its streams; clients resume from their cursor on another replica.
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = stream.Token;
        using var signal = new SemaphoreSlim(0);
        // Subscribe before the first read, so that no event written in between is missed.
        var subscription = await store.Subscriber.SubscribeAsync(Keys.EventsChannel(tenant));
        subscription.OnMessage(_ =>
        {
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        });
        try
        {
            var cursor = request.AfterCursor;
            while (!ct.IsCancellationRequested)
            {
                var batch = await events.ReadAsync(tenant, cursor, EventBatch);
                foreach (var evt in batch)
                {
                    await responseStream.WriteAsync(evt, ct);
                    cursor = evt.Cursor;
                }

                if (batch.Count < EventBatch)
                {
                    await signal.WaitAsync(ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    /// <summary>RFC 6531: a non-ASCII local part needs SMTPUTF8 (an IDN domain alone does not: it has an A-label form).</summary>
    private static bool NeedsSmtpUtf8(string email) => !System.Text.Ascii.IsValid(email.AsSpan(0, Math.Max(0, email.LastIndexOf('@'))));

    private static string NewMessageId() => "m_" + Guid.CreateVersion7().ToString("N");

    private static MessageState StateOf(string state) => state switch
    {
        DeliveryStates.Scheduled => MessageState.Scheduled,
        DeliveryStates.Queued => MessageState.Queued,
        DeliveryStates.Dispatched => MessageState.Dispatched,
        DeliveryStates.Delivered => MessageState.Delivered,
        DeliveryStates.Bounced => MessageState.Bounced,
        DeliveryStates.Expired => MessageState.Expired,
        DeliveryStates.Canceled => MessageState.Canceled,
        DeliveryStates.RejectedByAgentPolicy => MessageState.RejectedByAgentPolicy,
        DeliveryStates.PossiblyDelivered => MessageState.PossiblyDelivered,
        DeliveryStates.Suppressed => MessageState.Suppressed,
        _ => MessageState.Unspecified,
    };
}
