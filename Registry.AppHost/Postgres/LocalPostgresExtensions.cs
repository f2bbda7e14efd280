using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Registry.AppHost.Postgres;

internal static class LocalPostgresExtensions
{
    private const string ThrowAwayPrefix = "run-";

    /// <summary>
    /// A real PostgreSQL server from the machine's binaries: <c>initdb</c> once per data directory, then <c>postgres</c>
    /// on a port DCP allocates. Without <paramref name="dataDirectory"/> the cluster is throw-away (a fresh directory per
    /// run, relaxed durability); with it, the cluster persists and keeps full durability.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddLocalPostgresDatabase(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName, string? dataDirectory)
    {
        var binaries = PostgresBinaries.Find(builder.Configuration["Postgres:BinDir"]);
        var throwAway = string.IsNullOrWhiteSpace(dataDirectory);
        var dataDir = throwAway ? NewThrowAwayDirectory() : Path.GetFullPath(dataDirectory!);
        PrepareDirectory(dataDir);

        var init = builder.AddExecutable($"{serverName}-init", AsPostgres.Command, dataDir,
            [.. AsPostgres.Prefix, "/bin/sh", "-c",
             "test -f \"$1/PG_VERSION\" || exec \"$2\" -D \"$1\" -U postgres --auth=trust --encoding=UTF8 --no-instructions $3",
             "initdb", dataDir, binaries.InitDb, throwAway ? "--no-sync" : ""]);

        var server = new LocalPostgresResource(serverName, AsPostgres.Command, dataDir);
        string[] durability = throwAway ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : [];
        var serverBuilder = builder.AddResource(server)
            .WithEndpoint(scheme: "tcp", name: LocalPostgresResource.EndpointName, env: "PGPORT", isProxied: false)
            .WithArgs([.. AsPostgres.Prefix, binaries.Postgres, "-D", dataDir,
                "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={dataDir}", "-c", "max_connections=300",
                .. durability])
            .WaitForCompletion(init)
            .WithHealthCheck(AddHealthCheck(builder, server));

        var database = builder.AddConnectionString(databaseName, ReferenceExpression.Create($"{server.ConnectionStringExpression};Database={databaseName}"));
        database.WithHealthCheck(AddHealthCheck(builder, database.Resource)).WaitFor(serverBuilder);

        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (_, cancellationToken) =>
        {
            await using var connection = new NpgsqlConnection(await server.ConnectionStringExpression.GetValueAsync(cancellationToken));
            await connection.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = databaseName } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        });

        return database;
    }

    private static string AddHealthCheck(IDistributedApplicationBuilder builder, IResourceWithConnectionString resource)
    {
        var key = $"{resource.Name}_check";
        builder.Services.AddHealthChecks().Add(new(key, _ => new NpgsqlHealthCheck(resource), failureStatus: null, tags: null));
        return key;
    }

    /// <summary>A fresh directory per AppHost run, named after its process so that a later run can remove what a killed one left.</summary>
    public static string NewThrowAwayDirectory(string suffix = "pgdata")
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

    private static void PrepareDirectory(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        if (AsPostgres.IsRoot)
        {
            AsPostgres.Chown(dataDir);
        }
    }
}
