using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>
/// Two API replicas on one PostgreSQL and one artifact store, behind one balanced endpoint, twice: with the file store
/// (one shared root, as one volume mounted into every replica) and with S3 (moto). Each pair has a database of its own
/// in the one PostgreSQL server, so that background work (a deleted project's artifacts) is claimed only by the
/// replicas of that store.
/// </summary>
public sealed class ScaleFixture : IAsyncLifetime
{
    /// <summary>Shorter than the default (5 s), still five times the balancer's probe interval.</summary>
    public const int DrainDelaySeconds = 1;

    private OwnedPostgres? _postgres;
    private readonly MotoServer _moto = new();
    private readonly string _artifacts = Directory.CreateTempSubdirectory("registry-scale-artifacts-").FullName;

    public Replicas File { get; private set; } = null!;
    public Replicas S3 { get; private set; } = null!;

    public Replicas Store(string name) => name == "s3" ? S3 : File;

    public async Task InitializeAsync()
    {
        _postgres = await OwnedPostgres.StartNewAsync();
        await using (var connection = new NpgsqlConnection(_postgres.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand("CREATE DATABASE registrydb_s3", connection).ExecuteNonQueryAsync();
        }
        await _moto.InitializeAsync();
        var (file, s3) = (Replicas.StartAsync("file", _postgres.ConnectionString("registrydb"), new Dictionary<string, string>
        {
            ["Registry__Artifacts__Root"] = _artifacts,
        }), Replicas.StartAsync("s3", _postgres.ConnectionString("registrydb_s3"), new Dictionary<string, string>
        {
            ["Registry__Artifacts__Storage"] = "s3",
            ["Registry__Artifacts__S3__Bucket"] = MotoServer.Bucket,
            ["Registry__Artifacts__S3__Prefix"] = "scale",
            ["Registry__Artifacts__S3__ServiceUrl"] = _moto.ServiceUrl,
            ["Registry__Artifacts__S3__AccessKey"] = MotoServer.AccessKey,
            ["Registry__Artifacts__S3__SecretKey"] = MotoServer.SecretKey,
        }));
        (File, S3) = (await file, await s3);
    }

    public async Task DisposeAsync()
    {
        foreach (var replicas in new[] { File, S3 }.Where(r => r is not null))
        {
            await replicas.DisposeAsync();
        }
        await _moto.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        try { Directory.Delete(_artifacts, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Replicas A and B of one store, their balanced endpoint, the database and its tenants.</summary>
public sealed class Replicas : IAsyncDisposable
{
    public required string Store { get; init; }
    public required string ConnectionString { get; init; }

    /// <summary>What each replica runs with, for a test that starts one more.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public required TestToken Admin { get; init; }
    public required Tenants Tenants { get; init; }
    public required ApiReplica A { get; init; }
    public required ApiReplica B { get; init; }
    public required Balancer Balanced { get; init; }

    /// <summary>A for even numbers, B for odd ones: work split across both replicas.</summary>
    public HttpClient Split(int i) => i % 2 == 0 ? A.Http : B.Http;

    public static async Task<Replicas> StartAsync(string store, string connectionString, Dictionary<string, string> storage)
    {
        var admin = new TestToken($"scale-{store}-" + Guid.NewGuid().ToString("N"));
        var migrated = await Repository.RunAsync("Registry.MigrationService", [], new Dictionary<string, string>
        {
            ["ConnectionStrings__registrydb"] = connectionString,
            ["Registry__BootstrapToken"] = admin.Value,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        Assert.True(migrated.ExitCode == 0, migrated.StdOut + migrated.StdErr);
        var tenants = await Tenants.SeedAsync(connectionString, RegistryAppFixture.FlagOffProjectId);

        var environment = new Dictionary<string, string>(storage)
        {
            ["ConnectionStrings__registrydb"] = connectionString,
            ["OTEL_SDK_DISABLED"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Registry__Shutdown__DrainDelaySeconds"] = $"{ScaleFixture.DrainDelaySeconds}",
            // Every test talks from one loopback address, far faster than any real client without a valid token.
            ["Registry__RateLimit__Unauthenticated__PermitsPerSecond"] = "0",
        };
        var (a, b) = (ApiReplica.StartAsync($"{store}-a", environment), ApiReplica.StartAsync($"{store}-b", environment));
        var replicas = new[] { await a, await b };
        return new Replicas
        {
            Store = store,
            ConnectionString = connectionString,
            Environment = environment,
            Admin = admin,
            Tenants = tenants,
            A = replicas[0],
            B = replicas[1],
            Balanced = await Balancer.StartAsync(replicas),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Balanced.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ScaleCollection : ICollectionFixture<ScaleFixture>
{
    public const string Name = "scale";
}
