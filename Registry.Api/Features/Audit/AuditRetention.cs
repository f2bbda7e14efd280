using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Audit;

/// <summary>
/// Deletes audit events older than <see cref="AuditOptions.RetentionDays"/>, in every API process, at start and hourly.
/// Rows are taken with <c>SKIP LOCKED</c> in batches, so processes share the work instead of queueing on it.
/// </summary>
internal sealed class AuditRetention(NpgsqlDataSource dataSource, IOptions<AuditOptions> options, ILogger<AuditRetention> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);
    private const int Batch = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        do
        {
            try
            {
                var purged = await PurgeAsync(stoppingToken);
                if (purged > 0)
                {
                    logger.LogInformation("Purged {Count} audit events older than {Days} days", purged, options.Value.RetentionDays);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not purge old audit events ({Reason}); trying again in {Delay}", e.Message, Every);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int purged;
        do
        {
            var sql = new SqlParameters();
            await using var command = sql.Command(dataSource,
                $"""
                DELETE FROM audit_events WHERE id IN (
                    SELECT id FROM audit_events WHERE created_at < now() - make_interval(days => {sql.Add(options.Value.RetentionDays)}) LIMIT {sql.Add(Batch)}
                    FOR UPDATE SKIP LOCKED)
                """);
            purged = await command.ExecuteNonQueryAsync(cancellationToken);
            total += purged;
        }
        while (purged == Batch);
        return total;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
