using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registry.Api.Mlflow;
using Registry.Data;

namespace Registry.Api;

/// <summary>
/// The API serves only a schema that has every migration it was built with. Deployed, nothing makes the migration
/// service finish before the API starts (Container Apps starts both at once, and a plain container platform does what it
/// is told): until the schema is current, <c>/health</c> is unhealthy (readiness false, so no traffic is routed) and
/// every other request is 503 <c>TEMPORARILY_UNAVAILABLE</c>, which clients retry. An older API on a newer schema is
/// ready: migrations only add (README, Upgrades), so replicas of the previous build keep serving during an upgrade.
/// </summary>
internal sealed class SchemaReadiness(IServiceScopeFactory scopes, ILogger<SchemaReadiness> logger) : IHealthCheck
{
    public enum State { Unknown, Behind, Current }

    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private Task<State>? _check;
    private long _checkStarted;
    private volatile bool _current;

    /// <summary>True for good once the schema was current: the gate's per-request check costs one field read.</summary>
    public bool IsCurrent => _current;

    /// <summary>Current for good once it was; until then the database is asked at most once a second, by one caller at a time.</summary>
    public Task<State> StateAsync()
    {
        if (_current)
        {
            return Task.FromResult(State.Current);
        }
        lock (_gate)
        {
            if (_check is null || (_check.IsCompleted && Stopwatch.GetElapsedTime(_checkStarted) >= Recheck))
            {
                _checkStarted = Stopwatch.GetTimestamp();
                _check = CheckAsync();
            }
            return _check;
        }
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await StateAsync().WaitAsync(cancellationToken) switch
        {
            State.Current => HealthCheckResult.Healthy(),
            State.Behind => HealthCheckResult.Unhealthy("The database schema lacks migrations this API needs; run the migration service."),
            _ => HealthCheckResult.Unhealthy("The database could not be asked for its schema."),
        };

    private async Task<State> CheckAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var pending = (await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Database.GetPendingMigrationsAsync()).ToList();
            if (pending.Count == 0)
            {
                _current = true;
                return State.Current;
            }
            logger.LogWarning("The database schema lacks {Count} migrations this API needs (the first is {Migration}); answering 503 until they are applied",
                pending.Count, pending[0]);
            return State.Behind;
        }
        catch (Exception e)
        {
            // Most likely an outage, which each request meets itself and answers 503; the schema is asked again on the next.
            logger.LogDebug(e, "The database could not be asked for its schema");
            return State.Unknown;
        }
    }
}

/// <summary>Answers 503 before anything else runs while the schema is known to be behind; the probes always pass through.</summary>
internal sealed class SchemaGate(SchemaReadiness readiness) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (readiness.IsCurrent || context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/alive")
                || await readiness.StateAsync().WaitAsync(context.RequestAborted) != SchemaReadiness.State.Behind)
            {
                await nextMiddleware(context);
                return;
            }
            await MlflowError.TemporarilyUnavailable("The database schema is older than this server; retry once the migrations have run.").ExecuteAsync(context);
        });
        next(app);
    };
}

internal static class SchemaReadinessExtensions
{
    public static IServiceCollection AddSchemaReadiness(this IServiceCollection services)
    {
        services.AddSingleton<SchemaReadiness>();
        services.AddHealthChecks().AddCheck<SchemaReadiness>("schema");
        return services.AddTransient<IStartupFilter, SchemaGate>();
    }
}
