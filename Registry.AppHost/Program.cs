using Registry.AppHost;
using Registry.AppHost.Artifacts;
using Registry.AppHost.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

var registrydb = builder.AddRegistryDatabase();

// Generated on first run and kept in the AppHost's user secrets: `dotnet user-secrets list --project Registry.AppHost`.
var bootstrapToken = builder.AddParameter("bootstrap-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var migrations = builder.AddProject<Projects.Registry_MigrationService>("migrations")
    .WithReference(registrydb)
    .WaitFor(registrydb)
    .WithEnvironment("Registry__BootstrapToken", bootstrapToken)
    .PublishAsImage("migrations.Dockerfile");

var api = builder.AddProject<Projects.Registry_Api>("api")
    .WithReplicasFrom("Api:Replicas")
    .WithReference(registrydb)
    .WithArtifactStorage()
    .WaitForCompletion(migrations)
    .WithPublicHttpsEndpoint()
    .PublishAsImage("api.Dockerfile");
if (builder.ExecutionContext.IsRunMode)
{
    // A developer's machine runs PostgreSQL, the API and the web UI side by side: the runtime settings for a small
    // shared machine (README, Configuration). A published deployment sets its own.
    api.WithEnvironment("DOTNET_gcServer", "0")
        .WithEnvironment("DOTNET_TieredPGO", "0")
        .WithEnvironment("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "0");
}

// The web UI: talks to the API with the signed-in user's token; the database holds only its Data Protection keys,
// so its replicas share sessions. It scales with the API unless told otherwise.
builder.AddProject<Projects.Registry_Web>("web")
    .WithReplicasFrom("Web:Replicas", fallback: "Api:Replicas")
    .WithReference(api)
    .WithReference(registrydb)
    .WaitFor(api)
    .WithPublicHttpsEndpoint();

builder.Build().Run();
