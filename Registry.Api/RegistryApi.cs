using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore.Diagnostics;
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
using Registry.Api.Mlflow.Tracking;
using Registry.Data;
using Scalar.AspNetCore;

namespace Registry.Api;

/// <summary>
/// The API's composition, in one place: every service it registers, its middleware, every endpoint it maps and every
/// feature's JSON. Only this file knows every feature; features know <c>Mlflow/</c> and never each other.
/// </summary>
internal static class RegistryApi
{
    /// <summary>
    /// Every feature's source-generated JSON, chained: request bodies are read through these alone (<see cref="MlflowWire"/>),
    /// and responses through these before ASP.NET Core's reflection-based default.
    /// </summary>
    internal static readonly IJsonTypeInfoResolver[] JsonContexts =
    [
        MlflowJsonContext.Default, RegisteredModelsJsonContext.Default, ModelVersionsJsonContext.Default, ExperimentsJsonContext.Default,
        RunsJsonContext.Default, LoggedModelsJsonContext.Default, ArtifactsJsonContext.Default, WebhooksJsonContext.Default,
        AdminJsonContext.Default, FeaturesJsonContext.Default, AuditJsonContext.Default,
    ];

    public static WebApplicationBuilder AddRegistryApi(this WebApplicationBuilder builder)
    {
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
        builder.Services.AddGracefulShutdown();

        builder.Services.AddSingleton(new MlflowWire(JsonContexts));
        builder.Services.Configure<JsonOptions>(options =>
        {
            MlflowJsonContext.ConfigureWire(options.SerializerOptions);
            for (var i = 0; i < JsonContexts.Length; i++)
            {
                options.SerializerOptions.TypeInfoResolverChain.Insert(i, JsonContexts[i]);
            }
        });
        // Binding failures (malformed JSON, wrong content type) become exceptions the error middleware answers in MLflow's shape.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        builder.Services.AddRegistryFeatureFlags();
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
        builder.Services.AddSingleton<FeatureGateStore>();
        builder.Services.AddWebhooks();
        builder.Services.AddAudit();
        return builder;
    }

    public static WebApplication MapRegistryApi(this WebApplication app)
    {
        app.UseMiddleware<MlflowErrorMiddleware>();
        app.UseRouting();
        app.UseFeatureGates();
        app.UseAuthentication();
        app.UseMiddleware<ActorMiddleware>();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseOperationSpans();

        app.MapDefaultEndpoints();
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        MapMlflow(app);
        app.MapAdmin();
        app.MapFeatures();
        app.MapAudit();
        app.MapSignIns();
        return app;
    }

    /// <summary>
    /// The per-project MLflow namespaces, as GitLab has them: the tracking and registry API, and the artifact proxy.
    /// Each group carries the feature gate, authentication and project access; the slices below never re-check them.
    /// </summary>
    private static void MapMlflow(WebApplication app)
    {
        var scope = MlflowApi.ProjectScoped(app, MlflowApi.ProjectPrefix);
        MlflowApi.MapUnknownEndpoints(scope);
        var mlflow = MlflowApi.Operations(scope);
        mlflow.MapRegisteredModels();
        mlflow.MapModelVersions();
        mlflow.MapAliasesAndLatest();
        mlflow.MapExperiments();
        mlflow.MapRuns();
        mlflow.MapMetrics();
        mlflow.MapRunArtifacts();
        mlflow.MapLoggedModels();
        mlflow.MapWebhooks();

        var artifactScope = MlflowApi.ProjectScoped(app, MlflowApi.ArtifactsPrefix);
        MlflowApi.MapUnknownEndpoints(artifactScope);
        MlflowApi.Operations(artifactScope).MapArtifactProxy();
    }
}
