using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Data;

namespace Registry.MigrationService;

/// <summary>
/// Applies the schema, ensures the bootstrap tenant, then stops the host. A failure exits non-zero,
/// so the AppHost never starts the API on a half-migrated schema.
/// </summary>
internal sealed class MigrationWorker(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    IOptions<BootstrapOptions> bootstrap,
    ILogger<MigrationWorker> logger) : BackgroundService
{
    public const string ActivitySourceName = "Registry.MigrationService";
    private static readonly ActivitySource Source = new(ActivitySourceName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var activity = Source.StartActivity("migrate database", ActivityKind.Client);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(() => db.Database.MigrateAsync(stoppingToken));
            logger.LogInformation("Schema is at migration {Migration}", (await db.Database.GetAppliedMigrationsAsync(stoppingToken)).LastOrDefault());

            if (!string.IsNullOrEmpty(bootstrap.Value.BootstrapToken))
            {
                await strategy.ExecuteAsync(() => Bootstrap.EnsureDefaultTenantAsync(
                    db, bootstrap.Value.BootstrapToken, bootstrap.Value.Auth.DefaultTokenLifetimeDays, stoppingToken));
                logger.LogInformation("Bootstrap project 1, its owner and the bootstrap token are in place");
            }
        }
        catch (Exception exception)
        {
            activity?.AddException(exception);
            logger.LogCritical(exception, "Migration failed");
            Environment.ExitCode = 1;
        }

        lifetime.StopApplication();
    }
}
