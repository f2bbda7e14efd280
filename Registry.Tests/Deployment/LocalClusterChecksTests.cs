namespace Registry.Tests.Deployment;

/// <summary>A local data directory PostgreSQL cannot use is refused before anything starts, with what to do about it.</summary>
public sealed class LocalClusterChecksTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"registry-checks-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_cluster_of_another_PostgreSQL_major_version_is_named_with_both_versions_and_the_ways_out()
    {
        var dataDir = Path.Combine(_root, "pgdata");
        Directory.CreateDirectory(dataDir);
        await File.WriteAllTextAsync(Path.Combine(dataDir, "PG_VERSION"), "9.6\n");

        var (exitCode, output) = await AppHostCommand.RunAsync("--Postgres:Mode=executable", $"--Postgres:DataDir={dataDir}");

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"The PostgreSQL data directory {dataDir} was created by PostgreSQL 9.6, but the server found here is PostgreSQL 1", output);
        Assert.Contains("pg_upgrade", output);
        Assert.Contains("Postgres:BinDir", output);
    }

    [RootFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task As_root_a_data_directory_the_postgres_user_cannot_reach_is_refused()
    {
        Directory.CreateDirectory(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var dataDir = Path.Combine(_root, "pgdata");

        var (exitCode, output) = await AppHostCommand.RunAsync("--Postgres:Mode=executable", $"--Postgres:DataDir={dataDir}");

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"The postgres user cannot reach the PostgreSQL data directory {dataDir}", output);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
