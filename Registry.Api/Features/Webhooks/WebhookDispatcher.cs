using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Registry.Api.Auth;
using Registry.Api.Changes;
using Registry.Data;

namespace Registry.Api.Features.Webhooks;

/// <summary>
/// Delivers the outbox, in every API process. Woken by the database's notification of a new event (heard on the one
/// listener connection, <see cref="INotificationChannel"/>), and by its own timer for retries that fall due. Each
/// attempt runs under a lease (<see cref="DispatchStore.ClaimAsync"/>): at least once, never lost to a crash, with the
/// delivery id the same on every attempt. Failures are retried with exponential back-off and jitter (honouring a
/// receiver's Retry-After) for a day after the event; then the delivery fails.
/// </summary>
internal sealed class WebhookDispatcher(
    DispatchStore store, WebhookSender sender, SecretProtection secrets, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService, INotificationChannel
{
    /// <summary>The longest it sleeps without news: a missed notification or an expired lease is found within this.</summary>
    private static readonly TimeSpan Sweep = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a wake-up waits before claiming. The notification arrives at the commit of the write that queued the
    /// event, while that write is still answering its client on the same cores; starting its deliveries a moment later
    /// keeps them off its answer, and events committed together are taken together.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(10);

    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan LongestBackOff = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentDeliveries);

    /// <summary>Deliveries that arrived, waiting to be recorded (their slots still taken).</summary>
    private readonly Channel<AttemptResult> _delivered = Channel.CreateUnbounded<AttemptResult>(new UnboundedChannelOptions { SingleReader = true });

    private const int RecordAtOnce = 256;

    /// <summary>Host, process and instance: who holds a claim (<c>claimed_by</c>), for operators and tests.</summary>
    public string Claimant { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public string Name => RecordedChanges.WebhookChannel;

    public void Notified(string payload) => Wake();

    public void Listening() => Wake();

    /// <summary>Makes the dispatcher look for due deliveries now.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Actor.Current = Actor.Registry;
        var recording = RecordDeliveredAsync(stoppingToken);
        var nextPurge = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var sleep = Sweep;
            try
            {
                await DispatchDueAsync(stoppingToken);
                if (await store.NextDueInAsync(stoppingToken) is { } due && due < sleep)
                {
                    sleep = due > TimeSpan.Zero ? due : TimeSpan.FromMilliseconds(50);
                }
                if (clock.GetUtcNow() >= nextPurge)
                {
                    await store.PurgeAsync(TimeSpan.FromDays(options.Value.DeliveryRetentionDays), stoppingToken);
                    nextPurge = clock.GetUtcNow() + PurgeEvery;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not dispatch webhook deliveries ({Reason}); trying again in {Delay}", e.Message, Sweep);
            }
            try
            {
                if (await _wake.WaitAsync(sleep, stoppingToken))
                {
                    await Task.Delay(Settle, clock, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        await recording;
    }

    /// <summary>Claims as many due deliveries as there are free slots, and again as slots free up, until none is due.</summary>
    private async Task DispatchDueAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            await _slots.WaitAsync(stoppingToken);
            var free = 1;
            while (free < options.Value.MaxConcurrentDeliveries && _slots.Wait(0))
            {
                free++;
            }
            var claimed = await ClaimOrReleaseAsync(free, stoppingToken);
            if (claimed.Count < free)
            {
                _slots.Release(free - claimed.Count);
            }
            foreach (var delivery in claimed)
            {
                _ = Task.Run(() => AttemptAsync(delivery, stoppingToken), CancellationToken.None);
            }
            if (claimed.Count == 0)
            {
                return;
            }
        }
    }

    private async Task<IReadOnlyList<ClaimedDelivery>> ClaimOrReleaseAsync(int free, CancellationToken stoppingToken)
    {
        try
        {
            return await store.ClaimAsync(free, options.Value.Lease, Claimant, stoppingToken);
        }
        catch
        {
            _slots.Release(free);
            throw;
        }
    }

    private async Task AttemptAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        Actor.Current = Actor.Registry;
        var handedOver = false;
        try
        {
            var startedAt = clock.GetUtcNow().UtcDateTime;
            var result = new AttemptResult(delivery, startedAt, await SendAsync(delivery, stoppingToken));
            if (result.Result.Delivered)
            {
                handedOver = _delivered.Writer.TryWrite(result);
                return;
            }
            var retryIn = RetryIn(delivery, result.Result);
            await store.RecordFailedAsync(result, Claimant, retryIn, stoppingToken);
            logger.LogInformation("Webhook delivery {DeliveryId} ({Event}) attempt {Attempt} failed: {Error}",
                delivery.DeliveryId, delivery.Event, delivery.Attempt, result.Result.Error);
            if (retryIn is not null)
            {
                // The loop sleeps until the next due delivery as it was before this one's retry was set (its lease's end).
                Wake();
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The lease runs out and the delivery is tried again, here or elsewhere.
            logger.LogWarning("Could not record webhook delivery {DeliveryId} ({Reason})", delivery.DeliveryId, e.Message);
        }
        catch (OperationCanceledException)
        {
            // Shutting down mid-attempt: the lease runs out and another process (or this one, restarted) tries again.
        }
        finally
        {
            if (!handedOver)
            {
                _slots.Release();
            }
        }
    }

    /// <summary>
    /// Records the deliveries that arrived, as many at a time as have arrived since the last statement (one statement and
    /// one commit for all of them), and only then frees their slots. If recording fails, their leases run out and
    /// they are delivered again, with the same delivery ids.
    /// </summary>
    private async Task RecordDeliveredAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AttemptResult>();
        try
        {
            while (await _delivered.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < RecordAtOnce && _delivered.Reader.TryRead(out var delivered))
                {
                    batch.Add(delivered);
                }
                try
                {
                    await store.RecordDeliveredAsync(batch, Claimant, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Could not record {Count} webhook deliveries ({Reason}); they will be delivered again", batch.Count, e.Message);
                }
                finally
                {
                    _slots.Release(batch.Count);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: what was not recorded is delivered again when its lease runs out.
        }
    }

    private async Task<SendResult> SendAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        string? secret;
        try
        {
            secret = delivery.ProtectedSecret is null ? null : await secrets.UnprotectAsync(delivery.ProtectedSecret, stoppingToken);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            return new SendResult(null, null, $"The webhook's secret cannot be decrypted ({e.Message}); set it again.", Retryable: false, null, TimeSpan.Zero);
        }
        var body = WebhookBody.Build(delivery.Event, delivery.CreatedAt, delivery.Payload);
        return await sender.SendAsync(delivery.Url, secret, delivery.DeliveryId, body, stoppingToken);
    }

    /// <summary>
    /// When to try again: exponential back-off (1 s, 2 s, 4 s, ... up to an hour) with equal jitter, or longer if the
    /// receiver said so; null when this attempt ends the delivery (delivered, not retryable, or past its day).
    /// </summary>
    private TimeSpan? RetryIn(ClaimedDelivery delivery, SendResult result)
    {
        if (result.Delivered || !result.Retryable)
        {
            return null;
        }
        var backOff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, delivery.Attempt - 1), LongestBackOff.TotalSeconds));
        var wait = backOff / 2 + backOff / 2 * Random.Shared.NextDouble();
        if (result.RetryAfter is { } asked && asked > wait)
        {
            wait = asked;
        }
        return clock.GetUtcNow().UtcDateTime + wait <= delivery.GiveUpAt ? wait : null;
    }
}
