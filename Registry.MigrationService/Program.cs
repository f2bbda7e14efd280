using Registry.Data;
using Registry.MigrationService;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("registrydb", settings => settings.DisableTracing = settings.DisableMetrics = !builder.ExportsTelemetry());
builder.Services.AddDbContext<RegistryDbContext>((services, options) =>
    options.UseRegistryDatabase(services.GetRequiredService<Npgsql.NpgsqlDataSource>(), npgsql => npgsql.EnableRetryOnFailure()));
builder.Services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section).ValidateOnStart();
builder.Services.AddHostedService<MigrationWorker>();

builder.Build().Run();
