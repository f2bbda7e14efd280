using Npgsql;
using Registry.Api.Auth;
using Registry.Api.Mlflow.Artifacts;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Admin;

/// <summary>
/// Removes deleted projects' artifacts from storage, in the background: the trigger that deletes a project records the
/// deletion in <c>pending_artifact_deletions</c> in the same transaction, and every API process works the table off.
/// A row is claimed with <c>FOR UPDATE SKIP LOCKED</c> and a lease that is renewed while the deletion runs; if the
/// process dies, the lease runs out and another process (or this one, restarted) finishes the job, which is safe to
/// repeat. A failure is retried with back-off.
/// </summary>
internal sealed class ArtifactDeletionWorker(
    NpgsqlDataSource dataSource, IArtifactStore store, AuthChangeListener changes, ILogger<ArtifactDeletionWorker> logger) : BackgroundService
{
    private static readonly SqlColumns Claimed = new();
    private static readonly int ClaimedId = Claimed.Add("id");
    private static readonly int ClaimedProjectId = Claimed.Add("project_id");
    private static readonly int ClaimedAttempts = Claimed.Add("attempts");

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    /// <summary>How often to look for work nobody announced: expired leases, retries that are due.</summary>
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        changes.ProjectChanged += _ => Wake();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ClaimAsync(stoppingToken) is { } claim)
                {
                    await DeleteAsync(claim.Id, claim.ProjectId, claim.Attempts, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not look for pending artifact deletions ({Reason}); trying again in {Delay}", e.Message, SweepEvery);
            }
            try
            {
                await _wake.WaitAsync(SweepEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private void Wake()
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

    private async Task<(long Id, long ProjectId, int Attempts)?> ClaimAsync(CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"""
            UPDATE pending_artifact_deletions SET next_attempt_at = now() + {sql.Add(Lease)}, attempts = attempts + 1
            WHERE id = (
                SELECT id FROM pending_artifact_deletions
                WHERE next_attempt_at IS NULL OR next_attempt_at <= now()
                ORDER BY id LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING {Claimed.Sql}
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(ClaimedId), reader.GetInt64(ClaimedProjectId), reader.GetInt32(ClaimedAttempts)) : null;
    }

    private async Task DeleteAsync(long id, long projectId, int attempts, CancellationToken stoppingToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewLeaseAsync(id, done.Token);
        try
        {
            // Off the request threads: a file store deletes synchronously, and a large project takes a while.
            await Task.Run(() => store.DeleteProjectAsync(projectId, stoppingToken), stoppingToken);
            await StopAsync(done, renewing);
            var sql = new SqlParameters();
            await using var finish = sql.Command(dataSource, $"DELETE FROM pending_artifact_deletions WHERE id = {sql.Add(id)}");
            await finish.ExecuteNonQueryAsync(stoppingToken);
            logger.LogInformation("Removed the artifacts of deleted project {ProjectId}", projectId);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            await StopAsync(done, renewing);
            var backOff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts), 3600));
            logger.LogWarning("Could not remove the artifacts of deleted project {ProjectId} (attempt {Attempt}: {Reason}); retrying in {Delay}",
                projectId, attempts, e.Message, backOff);
            var sql = new SqlParameters();
            await using var postpone = sql.Command(dataSource,
                $"UPDATE pending_artifact_deletions SET next_attempt_at = now() + {sql.Add(backOff)}, last_error = {sql.Add(e.Message)} WHERE id = {sql.Add(id)}");
            await postpone.ExecuteNonQueryAsync(stoppingToken);
        }
    }

    private static async Task StopAsync(CancellationTokenSource done, Task renewing)
    {
        await done.CancelAsync();
        await renewing;
    }

    /// <summary>Keeps the claim while the deletion runs; a renewal that fails is not fatal (the next one may succeed).</summary>
    private async Task RenewLeaseAsync(long id, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var sql = new SqlParameters();
                    await using var renew = sql.Command(dataSource,
                        $"UPDATE pending_artifact_deletions SET next_attempt_at = now() + {sql.Add(Lease)} WHERE id = {sql.Add(id)}");
                    await renew.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (NpgsqlException e)
                {
                    logger.LogWarning("Could not renew the claim on artifact deletion {Id}: {Reason}", id, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
