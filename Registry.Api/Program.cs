using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Registry.Api;
using Registry.Api.Auth;
using Registry.Api.Changes;
using Registry.Api.FeatureFlags;
using Registry.Api.Features.Admin;
using Registry.Api.Features.Artifacts;
using Registry.Api.Features.Audit;
using Registry.Api.Features.Experiments;
using Registry.Api.Features.FeatureGates;
using Registry.Api.Features.LoggedModels;
using Registry.Api.Features.ModelVersions;
using Registry.Api.Features.Runs;
using Registry.Api.Features.RegisteredModels;
using Registry.Api.Features.Webhooks;
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
// The schema readiness check is the API's only EF Core use; it answers a failed connection itself (503, logged once),
// so EF Core's own error for it would only repeat an outage at Error with a stack trace.
builder.Services.AddDbContextPool<RegistryDbContext>((services, options) => options
    .UseRegistryDatabase(services.GetRequiredService<Npgsql.NpgsqlDataSource>())
    .ConfigureWarnings(warnings => warnings.Log(
        (RelationalEventId.ConnectionError, LogLevel.Debug),
        (RelationalEventId.CommandError, LogLevel.Debug))));
builder.Services.AddSchemaReadiness();
builder.Services.AddGracefulShutdown(builder.Configuration);

builder.Services.Configure<JsonOptions>(options =>
{
    MlflowJsonContext.ConfigureWire(options.SerializerOptions);
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, MlflowJsonContext.Default);
});
// Binding failures (malformed JSON, wrong content type) become exceptions the error middleware answers in MLflow's shape.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

builder.Services.AddRegistryFeatureFlags();
builder.Services.AddOpenApi(options => options.DescribeJsonBodies().DescribeRawModelVersions());

builder.Services.AddMemoryCache();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddRegistryAuth(builder.Configuration);
builder.Services.Configure<RequestLimits>(builder.Configuration.GetSection("Registry"));
builder.Services.AddSingleton<LargeBodyGate>();
builder.Services.AddSingleton<ExpectedFailureLog>();
// JSON bodies are limited as they are read (JsonBody); artifact uploads raise this limit for themselves, per request.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestLimits.KestrelLimit(
    builder.Configuration.GetValue("Registry:MaxRequestBodyBytes", new RequestLimits().MaxRequestBodyBytes)));

builder.Services.AddSingleton<RegisteredModelStore>();
builder.Services.AddSingleton<RegisteredModelSearch>();
builder.Services.AddSingleton<ModelVersionStore>();
builder.Services.AddOptions<ModelSourceOptions>().BindConfiguration("Registry:ModelSources").ValidateOnStart();
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
builder.Services.Configure<ArtifactOptions>(builder.Configuration.GetSection("Registry:Artifacts"));
builder.Services.AddArtifactStore(builder.Configuration);
builder.Services.AddSingleton<LoggedModelStore>();
builder.Services.AddSingleton<LoggedModelSearch>();
builder.Services.AddSingleton<FeatureGateStore>();
builder.Services.AddWebhooks();
builder.Services.AddAudit();

var app = builder.Build();

app.UseMiddleware<MlflowErrorMiddleware>();
app.UseRouting();
app.UseFeatureGates();
app.UseAuthentication();
app.UseMiddleware<ActorMiddleware>();
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
app.MapFeatures();
app.MapAudit();

await app.RunAsync();
return 0;

/// <summary>Visible to the in-process tests.</summary>
public partial class Program;
