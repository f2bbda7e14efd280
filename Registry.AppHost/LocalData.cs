using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.AppHost.Postgres;

namespace Registry.AppHost;

/// <summary>
/// Where a local run (<c>dotnet run</c>, tests) keeps PostgreSQL's data and the artifacts. By default both persist in
/// one folder, <see cref="DefaultRoot"/>, so that a restart finds yesterday's models; <c>Postgres:DataDir=temp</c>
/// makes both throw-away; a path keeps the cluster there and the artifacts next to it (<c>&lt;path&gt;-artifacts</c>).
/// <c>Artifacts:Root</c> overrides where the artifacts go. Publishing never looks here.
/// </summary>
internal sealed class LocalData(IConfiguration configuration)
{
    public const string ThrowAwaySetting = "temp";

    /// <summary>The named volume that keeps the data of the PostgreSQL container, locally and when deployed.</summary>
    public const string PostgresVolume = "registry-postgres-data";

    private const string ThrowAwayPrefix = "run-";

    /// <summary>
    /// The user's local application data (<c>~/.local/share/registry</c> on Linux). As root, <c>/var/lib/registry</c>:
    /// PostgreSQL then runs as the postgres user, which cannot enter <c>/root</c>.
    /// </summary>
    public static string DefaultRoot { get; } = AsPostgres.IsRoot
        ? "/var/lib/registry"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "registry");

    private string? DataDirSetting => configuration["Postgres:DataDir"] is { Length: > 0 } setting ? setting.Trim() : null;

    public bool IsThrowAway => string.Equals(DataDirSetting, ThrowAwaySetting, StringComparison.OrdinalIgnoreCase);

    /// <summary>The configured cluster directory; null for the default (<see cref="DefaultRoot"/>) or a throw-away one.</summary>
    public string? ConfiguredPostgresDirectory => IsThrowAway || DataDirSetting is null ? null : Path.GetFullPath(DataDirSetting);

    /// <summary>The cluster directory of a local PostgreSQL process, created on first use and reused after.</summary>
    public string PostgresDirectory() =>
        IsThrowAway ? NewThrowAwayDirectory("pgdata") : ConfiguredPostgresDirectory ?? Path.Combine(DefaultRoot, "postgres");

    /// <summary>Artifacts live and die with the database, so a fresh database never meets old artifacts under reused project ids.</summary>
    public string ArtifactDirectory() =>
        configuration["Artifacts:Root"] is { Length: > 0 } configured ? Path.GetFullPath(configured)
        : IsThrowAway ? NewThrowAwayDirectory("artifacts")
        : ConfiguredPostgresDirectory is { } cluster ? cluster.TrimEnd('/') + "-artifacts"
        : Path.Combine(DefaultRoot, "artifacts");

    /// <summary>Says at startup where this run keeps <paramref name="what"/>, so nobody has to go looking for it.</summary>
    public void Announce(IDistributedApplicationBuilder builder, string what, string directory) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Registry.AppHost").LogInformation(
                IsThrowAway ? "{What}: {Directory} (throw-away)" : "{What}: {Directory} (kept between runs)", what, directory);
            return Task.CompletedTask;
        });

    /// <summary>A fresh directory per AppHost run, named after its process so that a later run can remove what a killed one left.</summary>
    private static string NewThrowAwayDirectory(string suffix)
    {
        var root = Path.Combine(Path.GetTempPath(), "registry-postgres");
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows())
        {
            // Like /tmp itself: the postgres user creates clusters here, everyone removes only their own.
            File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("1777", 8));
        }
        RemoveStaleDirectories(root);
        return Path.Combine(root, $"{ThrowAwayPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}-{suffix}");
    }

    private static void RemoveStaleDirectories(string root)
    {
        foreach (var directory in Directory.EnumerateDirectories(root, $"{ThrowAwayPrefix}*"))
        {
            var pid = Path.GetFileName(directory)[ThrowAwayPrefix.Length..].Split('-')[0];
            if (int.TryParse(pid, out var owner) && !IsRunning(owner))
            {
                try { Directory.Delete(directory, recursive: true); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* another user's; theirs to remove */ }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }
}
