using Registry.Data;
using Registry.MigrationService;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("registrydb", settings => settings.DisableTracing = settings.DisableMetrics = !builder.ExportsTelemetry());
builder.Services.AddDbContext<RegistryDbContext>((services, options) =>
    options.UseRegistryDatabase(services.GetRequiredService<Npgsql.NpgsqlDataSource>(), npgsql => npgsql.EnableRetryOnFailure()));
builder.Services.Configure<BootstrapOptions>(builder.Configuration.GetSection("Registry"));
builder.Services.AddHostedService<MigrationWorker>();

builder.Build().Run();
