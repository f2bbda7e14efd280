using Registry.AppHost.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

var registrydb = builder.AddRegistryDatabase();

// Generated on first run and kept in the AppHost's user secrets: `dotnet user-secrets list --project Registry.AppHost`.
var bootstrapToken = builder.AddParameter("bootstrap-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var migrations = builder.AddProject<Projects.Registry_MigrationService>("migrations")
    .WithReference(registrydb)
    .WaitFor(registrydb)
    .WithEnvironment("Registry__BootstrapToken", bootstrapToken);

var api = builder.AddProject<Projects.Registry_Api>("api")
    .WithReference(registrydb)
    .WithEnvironment("Registry__Artifacts__Root", RegistryDatabase.ArtifactRoot(builder))
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

// The web UI: talks to the API with the signed-in user's token; the database holds only its Data Protection keys.
builder.AddProject<Projects.Registry_Web>("web")
    .WithReference(api)
    .WithReference(registrydb)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
