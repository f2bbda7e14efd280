using System.Diagnostics;

namespace Registry.AppHost.Postgres;

/// <summary>
/// Makes a cluster directory ready for the local server, or says plainly why it cannot be, before anything starts:
/// a cluster of another PostgreSQL major version, a cluster another server is running on, or (as root) a place the
/// postgres user cannot reach. Left to PostgreSQL, each of these is a failed resource deep in the dashboard's logs.
/// </summary>
internal static class ClusterDirectory
{
    public static void Prepare(string dataDir, PostgresBinaries binaries)
    {
        Directory.CreateDirectory(dataDir);
        if (AsPostgres.IsRoot)
        {
            AsPostgres.Chown(dataDir);
            EnsureReachableByPostgres(dataDir);
        }
        EnsureSameMajorVersion(dataDir, binaries);
        EnsureNotInUse(dataDir);
    }

    private static void EnsureReachableByPostgres(string dataDir)
    {
        using var test = Process.Start(AsPostgres.Command, [.. AsPostgres.Prefix, "test", "-r", dataDir, "-a", "-w", dataDir, "-a", "-x", dataDir]);
        test.WaitForExit();
        if (test.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The postgres user cannot reach the PostgreSQL data directory {dataDir}: a directory above it is closed to other users " +
                "(as /root is). PostgreSQL runs as that user when the AppHost runs as root; choose a directory it can reach with " +
                "Postgres:DataDir, or leave Postgres:DataDir empty for /var/lib/registry.");
        }
    }

    private static void EnsureSameMajorVersion(string dataDir, PostgresBinaries binaries)
    {
        var versionFile = Path.Combine(dataDir, "PG_VERSION");
        if (!File.Exists(versionFile))
        {
            return;
        }
        var cluster = File.ReadAllText(versionFile).Trim();
        var server = binaries.MajorVersion();
        if (cluster != server)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL data directory {dataDir} was created by PostgreSQL {cluster}, but the server found here is " +
                $"PostgreSQL {server} ({binaries.Postgres}), which cannot open it. Keep your data by upgrading the cluster " +
                $"(pg_upgrade, or pg_dump with PostgreSQL {cluster} and restore), or by pointing Postgres:BinDir at PostgreSQL {cluster}'s " +
                "binaries; or move the directory aside to start with an empty database.");
        }
    }

    private static void EnsureNotInUse(string dataDir)
    {
        var pidFile = Path.Combine(dataDir, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) || !IsServerOf(pid, dataDir))
        {
            return;
        }
        throw new InvalidOperationException(
            $"The PostgreSQL data directory {dataDir} is in use by PostgreSQL (process {pid}), most likely another AppHost. " +
            $"Stop that one first, or start this one with Postgres:DataDir={LocalData.ThrowAwaySetting} for a throw-away database.");
    }

    /// <summary>A stale postmaster.pid names a process that has ended, or one that reused the number and serves something else.</summary>
    private static bool IsServerOf(int pid, string dataDir)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            var commandLine = $"/proc/{pid}/cmdline";
            return !process.HasExited && (!File.Exists(commandLine) || File.ReadAllText(commandLine).Contains(dataDir, StringComparison.Ordinal));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
