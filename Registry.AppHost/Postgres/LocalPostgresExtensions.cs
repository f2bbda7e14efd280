using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Registry.AppHost.Postgres;

internal static class LocalPostgresExtensions
{
    /// <summary>
    /// A real PostgreSQL server from the machine's binaries: <c>initdb</c> once per data directory, then <c>postgres</c>
    /// on a port DCP allocates. A persistent cluster (the default) keeps full durability; a throw-away one (a fresh
    /// directory per run) trades it for speed.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddLocalPostgresDatabase(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName, LocalData data)
    {
        var binaries = PostgresBinaries.Find(builder.Configuration["Postgres:BinDir"]);
        var throwAway = data.IsThrowAway;
        var dataDir = data.PostgresDirectory();
        ClusterDirectory.Prepare(dataDir, binaries);
        data.Announce(builder, "PostgreSQL data", dataDir);

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
}
