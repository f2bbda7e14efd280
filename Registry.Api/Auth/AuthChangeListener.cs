using System.Globalization;
using Npgsql;
using Registry.Data;

namespace Registry.Api.Auth;

/// <summary>
/// Hears what the database's triggers announce (<see cref="AuthChangeNotifications"/>) on a connection of its own and
/// evicts exactly that from <see cref="AccessLookup"/>, so a revocation made anywhere — another replica, the CLI, plain
/// SQL — takes effect here within milliseconds. When the connection drops, everything cached is forgotten and entries
/// live only briefly until it is back; on reconnecting everything is forgotten again, since notifications may have been
/// missed in between.
/// </summary>
public sealed class AuthChangeListener(IConfiguration configuration, AccessLookup lookup, ILogger<AuthChangeListener> logger) : BackgroundService
{
    /// <summary>Its connection's application_name, to find it in pg_stat_activity.</summary>
    public const string ApplicationName = "registry-auth-listener";

    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    /// <summary>Raised with the project's id when a project is created or deleted.</summary>
    public event Action<long>? ProjectChanged;

    private volatile bool _hearing;

    /// <summary>Whether notifications flow: caches may then keep what they read until told it changed.</summary>
    public bool IsHearing => _hearing;

    /// <summary>Raised once notifications flow again: caches must reload, since changes may have been missed meanwhile.</summary>
    public event Action? HearingAgain;

    /// <summary>Raised when a feature gate changes, or when everything may have (a TRUNCATE).</summary>
    public event Action? FeatureGatesChanged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString());
                connection.Notification += (_, e) => Handle(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {AuthChangeNotifications.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                lookup.StartHearingChanges();
                _hearing = true;
                HearingAgain?.Invoke();
                if (failing)
                {
                    logger.LogInformation("Hearing the database's auth change notifications again");
                }
                (retry, failing) = (FirstRetry, false);
                await HearAsync(connection, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                lookup.StopHearingChanges();
                _hearing = false;
                if (!failing)
                {
                    logger.LogWarning("Lost the database's auth change notifications ({Reason}); auth lookups are not cached until they are back",
                        e.Message);
                }
                failing = true;
                await PauseAsync(retry, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
            }
        }
        lookup.StopHearingChanges();
        _hearing = false;
    }

    private static async Task PauseAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits for notifications (handled as they arrive); a quiet connection is probed so that a dead one is noticed.</summary>
    private static async Task HearAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        while (true)
        {
            if (!await connection.WaitAsync(ProbeEvery, stoppingToken))
            {
                await using var probe = new NpgsqlCommand("SELECT 1", connection);
                await probe.ExecuteScalarAsync(stoppingToken);
            }
        }
    }

    private void Handle(string payload)
    {
        if (payload.StartsWith(AuthChangeNotifications.Feature, StringComparison.Ordinal))
        {
            FeatureGatesChanged?.Invoke();
        }
        else if (payload.StartsWith(AuthChangeNotifications.Token, StringComparison.Ordinal))
        {
            lookup.ForgetToken(payload[AuthChangeNotifications.Token.Length..]);
        }
        else if (payload.StartsWith(AuthChangeNotifications.Member, StringComparison.Ordinal)
            && payload[AuthChangeNotifications.Member.Length..].Split(':') is [var user, var project]
            && long.TryParse(user, CultureInfo.InvariantCulture, out var userId) && long.TryParse(project, CultureInfo.InvariantCulture, out var projectId))
        {
            lookup.ForgetMembership(userId, projectId);
        }
        else
        {
            // A user's or a project's change reaches entries this cache cannot name (the user's tokens, the project's
            // memberships); such changes are rare, so everything is looked up again.
            lookup.ForgetEverything();
            if (payload == AuthChangeNotifications.All)
            {
                FeatureGatesChanged?.Invoke();
            }
            if (payload.StartsWith(AuthChangeNotifications.Project, StringComparison.Ordinal)
                && long.TryParse(payload.AsSpan(AuthChangeNotifications.Project.Length), CultureInfo.InvariantCulture, out var changed))
            {
                ProjectChanged?.Invoke(changed);
            }
        }
    }

    /// <summary>The API's own database, on an unpooled connection: LISTEN is session state and this session lives on.</summary>
    private string ConnectionString() => new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("registrydb"))
    {
        Pooling = false,
        ApplicationName = ApplicationName,
        Timeout = 5,
        CommandTimeout = 5,
    }.ConnectionString;
}
