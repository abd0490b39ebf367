using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Render.V1;
using Mesh.Schedule.V1;
using Mesh.Sign.V1;
using Mesh.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Schedule;

/// <summary>
/// Moves due deliveries (send-at reached, retry due) through render and sign into the ready
/// queue, requeues jobs whose lease ended, and expires deliveries past their give-up time.
/// It sleeps until the earliest due time or until a pub/sub signal says the schedule changed.
/// </summary>
public sealed partial class ScheduleWorker(
    MeshStore store,
    DeliveryQueue queue,
    Render.V1.Render.RenderClient render,
    Sign.V1.Sign.SignClient sign,
    IOptions<ScheduleOptions> options,
    TimeProvider clock,
    ILogger<ScheduleWorker> logger) : BackgroundService
{
    // Another scheduler replica may change the schedule without us hearing it (pub/sub is
    // best-effort across reconnects), so no wait is longer than this.
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TransientRetry = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StoreRetry = TimeSpan.FromMilliseconds(500);
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = await store.Subscriber.SubscribeAsync(Keys.ScheduleChannel);
        channel.OnMessage(_ => Wake());
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                DateTimeOffset wakeAt;
                try
                {
                    wakeAt = await PassAsync(stoppingToken);
                }
                catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
                {
                    // The store is down or restarting: nothing was lost (claims time out), so wait
                    // and go on; StackExchange.Redis reconnects on its own.
                    Log.StoreUnavailable(logger, e.Message);
                    wakeAt = clock.GetUtcNow() + StoreRetry;
                }

                var delay = wakeAt - clock.GetUtcNow();
                if (delay > TimeSpan.Zero)
                {
                    await _wake.WaitAsync(delay < MaxIdle ? delay : MaxIdle, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await channel.UnsubscribeAsync();
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>One pass over every tenant; returns when the next pass is due.</summary>
    private async Task<DateTimeOffset> PassAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var wakeAt = now + MaxIdle;
        foreach (var tenantValue in await store.Database.SetMembersAsync(Keys.Tenants))
        {
            var tenant = (string)tenantValue!;
            var requeued = await queue.RequeueExpiredAsync(tenant, now);
            if (requeued > 0)
            {
                Log.LeasesEnded(logger, tenant, requeued);
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            // Claimed work is finished even during shutdown (bounded by the claim timeout), so a
            // stop leaves no claim behind to wait out.
            var ids = await queue.ClaimDueAsync(tenant, now, now + o.ClaimTimeout, o.BatchSize);
            using var deadline = new CancellationTokenSource(o.ClaimTimeout);
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = o.Concurrency },
                async (id, _) => await ProcessAsync(tenant, id, deadline.Token));
            if (ids.Length == o.BatchSize)
            {
                wakeAt = now;
            }

            var next = await queue.NextWakeAsync(tenant);
            if (next < wakeAt)
            {
                wakeAt = next.Value;
            }
        }

        return wakeAt;
    }

    private async Task ProcessAsync(string tenant, string id, CancellationToken ct)
    {
        var o = options.Value;
        var stored = await queue.GetAsync(tenant, id);
        if (stored is null)
        {
            return;
        }

        var delivery = Delivery.Parser.ParseFrom(stored.Record);
        var now = clock.GetUtcNow();
        if (now >= stored.Expires)
        {
            var expired = EventFactory.For(EventType.Expired, delivery, now, stored.Attempt,
                stored.Last ?? new DeliveryDetails { Reply = "give-up time reached before delivery" });
            await queue.FinishScheduledAsync(tenant, id, DeliveryStates.Expired, expired, now, o.Retention);
            return;
        }

        // A retry reuses the MIME signed for the first try: the message must not change between tries.
        if (await queue.HasMimeAsync(tenant, id))
        {
            await queue.PromoteAsync(tenant, id, null);
            return;
        }

        try
        {
            var rendered = await render.RenderAsync(new RenderRequest { Delivery = delivery }, cancellationToken: ct);
            var domain = delivery.From.Email[(delivery.From.Email.LastIndexOf('@') + 1)..];
            var signed = await sign.SignAsync(new SignRequest { TenantId = tenant, Domain = domain, Mime = rendered.Mime }, cancellationToken: ct);
            await queue.PromoteAsync(tenant, id, signed.Mime.ToByteArray());
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.NotFound)
        {
            // Retrying cannot fix a template or key problem: end it with a bounce that says why.
            Log.CannotPrepare(logger, tenant, id, e.Status.Detail);
            var bounced = EventFactory.For(EventType.Bounced, delivery, clock.GetUtcNow(), stored.Attempt,
                new DeliveryDetails { Reply = "message could not be prepared: " + e.Status.Detail });
            await queue.FinishScheduledAsync(tenant, id, DeliveryStates.Bounced, bounced, clock.GetUtcNow(), o.Retention);
        }
        catch (RpcException e)
        {
            // Transient (render or sign unavailable, or stopping): try again shortly.
            Log.PrepareFailed(logger, tenant, id, e.StatusCode, e.Status.Detail);
            await queue.ReleaseClaimAsync(tenant, id, clock.GetUtcNow() + TransientRetry);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Tenant {Tenant}: {Count} lease(s) ended; jobs requeued")]
        public static partial void LeasesEnded(ILogger logger, string tenant, long count);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Tenant {Tenant}, delivery {Id}: cannot be prepared: {Reason}")]
        public static partial void CannotPrepare(ILogger logger, string tenant, string id, string reason);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Store unavailable ({Reason}); the scheduler retries shortly")]
        public static partial void StoreUnavailable(ILogger logger, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Tenant {Tenant}, delivery {Id}: render/sign failed ({Status}: {Detail}); will retry shortly")]
        public static partial void PrepareFailed(ILogger logger, string tenant, string id, StatusCode status, string detail);
    }
}
