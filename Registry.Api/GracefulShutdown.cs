using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Registry.Api;

/// <summary>
/// On SIGTERM the process first fails readiness (at <c>ApplicationStopping</c>) while it keeps serving, and asks clients
/// to reconnect elsewhere (<c>Connection: close</c>); after <see cref="ShutdownOptions.DrainDelaySeconds"/> Kestrel stops
/// accepting and lets the requests in flight finish within <see cref="ShutdownOptions.RequestTimeoutSeconds"/>.
/// Liveness (<c>/alive</c>) stays up throughout: the process is healthy, only leaving.
/// </summary>
internal sealed class GracefulShutdown(IHostApplicationLifetime lifetime, IOptions<ShutdownOptions> options, ILogger<GracefulShutdown> logger)
    : IHealthCheck, IHostedLifecycleService
{
    private volatile bool _draining;

    public bool Draining => _draining || lifetime.ApplicationStopping.IsCancellationRequested;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Draining ? HealthCheckResult.Unhealthy("Shutting down: finishing the requests in flight.") : HealthCheckResult.Healthy());

    /// <summary>Runs before any hosted service stops, the web server included: the server accepts requests throughout.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var delay = TimeSpan.FromSeconds(options.Value.DrainDelaySeconds);
        logger.LogInformation("Shutting down: readiness fails now, new requests are accepted for {Delay} more", delay);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>While draining, each response closes its connection, so keep-alive clients reconnect to a replica that stays.</summary>
internal sealed class DrainingConnections(GracefulShutdown shutdown) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (shutdown.Draining)
            {
                context.Response.Headers.Connection = "close";
            }
            return nextMiddleware(context);
        });
        next(app);
    };
}

internal static class GracefulShutdownExtensions
{
    public static IServiceCollection AddGracefulShutdown(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.Value.DrainDelaySeconds + shutdown.Value.RequestTimeoutSeconds));
        services.AddSingleton<GracefulShutdown>();
        services.AddHostedService(provider => provider.GetRequiredService<GracefulShutdown>());
        services.AddHealthChecks().AddCheck<GracefulShutdown>("shutdown");
        return services.AddTransient<IStartupFilter, DrainingConnections>();
    }
}
