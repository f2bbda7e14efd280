using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.FeatureManagement;
using Registry.Api;
using Registry.Api.Auth;
using Registry.Api.FeatureFlags;
using Registry.Api.Features.Admin;
using Registry.Api.Features.Artifacts;
using Registry.Api.Features.Experiments;
using Registry.Api.Features.LoggedModels;
using Registry.Api.Features.ModelVersions;
using Registry.Api.Features.Runs;
using Registry.Api.Features.RegisteredModels;
using Registry.Api.Mlflow;
using Registry.Data;
using Scalar.AspNetCore;

if (AdminCli.IsInvocation(args))
{
    return await AdminCli.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource(
    "registrydb",
    settings => settings.DisableTracing = settings.DisableMetrics = !builder.ExportsTelemetry(),
    DatabaseDefaults.Apply);
builder.Services.AddDbContextPool<RegistryDbContext>((services, options) =>
    options.UseRegistryDatabase(services.GetRequiredService<Npgsql.NpgsqlDataSource>()));
builder.Services.AddSchemaReadiness();

builder.Services.Configure<JsonOptions>(options =>
{
    MlflowJsonContext.ConfigureWire(options.SerializerOptions);
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, MlflowJsonContext.Default);
});
// Binding failures (malformed JSON, wrong content type) become exceptions the error middleware answers in MLflow's shape.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

builder.Services.AddFeatureManagement();
builder.Services.AddOpenApi(options => options.DescribeJsonBodies().DescribeRawModelVersions());

builder.Services.AddMemoryCache();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddRegistryAuth();
builder.Services.AddOptions<RequestLimits>().BindConfiguration(RequestLimits.Section).ValidateOnStart();
builder.Services.AddSingleton<LargeBodyGate>();
builder.Services.AddSingleton<ExpectedFailureLog>();
// JSON bodies are limited as they are read (JsonBody); artifact uploads raise this limit for themselves, per request.
builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimits>>((kestrel, limits) =>
    kestrel.Limits.MaxRequestBodySize = RequestLimits.KestrelLimit(limits.Value.MaxRequestBodyBytes));

builder.Services.AddSingleton<RegisteredModelStore>();
builder.Services.AddSingleton<RegisteredModelSearch>();
builder.Services.AddSingleton<ModelVersionStore>();
builder.Services.AddOptions<ModelSourceOptions>().BindConfiguration(ModelSourceOptions.Section).ValidateOnStart();
builder.Services.AddSingleton<ModelSources>();
builder.Services.AddSingleton<StageAndAliasStore>();
builder.Services.AddSingleton<ModelVersionSearch>();
builder.Services.AddSingleton<ExperimentStore>();
builder.Services.AddSingleton<ExperimentSearch>();
builder.Services.AddSingleton<ExperimentIds>();
builder.Services.AddSingleton<RunStore>();
builder.Services.AddSingleton<RunLogStore>();
builder.Services.AddSingleton<RunSearch>();
builder.Services.AddSingleton<MetricHistoryStore>();
builder.Services.AddSingleton<AdminStore>();
builder.Services.AddSingleton<TokenStore>();
builder.Services.AddSingleton<TokenLifetime>();
builder.Services.AddHostedService<ArtifactDeletionWorker>();
builder.Services.AddArtifactStore();
builder.Services.AddSingleton<LoggedModelStore>();
builder.Services.AddSingleton<LoggedModelSearch>();

var app = builder.Build();

app.UseMiddleware<MlflowErrorMiddleware>();
app.UseRouting();
app.UseFeatureGates();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}
app.MapMlflow();
app.MapAdmin();

await app.RunAsync();
return 0;

/// <summary>Visible to the in-process tests.</summary>
public partial class Program;
