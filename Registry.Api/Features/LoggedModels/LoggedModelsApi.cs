using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.LoggedModels;

/// <summary>MLflow 3's logged models: what <c>mlflow.&lt;flavor&gt;.log_model</c> creates, uploads to, and finalizes.</summary>
internal static class LoggedModelsApi
{
    private static readonly string[] Statuses = [LoggedModelStore.Pending, "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"];

    public static RouteGroupBuilder MapLoggedModels(this RouteGroupBuilder mlflow)
    {
        var models = mlflow.MapGroup("logged-models");
        models.MapPost("", Create);
        models.MapPost("search", Search).Reads();
        models.MapGet("{modelId}", Get);
        models.MapPatch("{modelId}", FinalizeModel);
        models.MapDelete("{modelId}", Delete);
        models.MapPatch("{modelId}/tags", SetTags);
        models.MapDelete("{modelId}/tags/{key}", DeleteTag);
        models.MapPost("{modelId}/params", LogParams);
        models.MapGet("{modelId}/artifacts/directories", ListArtifacts);
        return mlflow;
    }

    private static async Task<Results<Ok<LoggedModelResponse>, MlflowError>> Create(
        long projectId, JsonBody<CreateLoggedModelRequest> body, ClaimsPrincipal user, LoggedModelStore store, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var experimentId = string.IsNullOrEmpty(request.ExperimentId) ? "0" : request.ExperimentId;
        var experiment = ExperimentSql.RequireId(experimentId);
        if (experiment.Error is { } error)
        {
            return error;
        }
        var name = string.IsNullOrEmpty(request.Name) ? $"model-{Guid.NewGuid():N}"[..14] : RegisteredModelValidation.Name(request.Name);
        var modelType = string.IsNullOrEmpty(request.ModelType) ? null : Text.Storable(request.ModelType, "model_type");
        var sourceRunId = string.IsNullOrEmpty(request.SourceRunId) ? null : TrackingValidation.RunId(request.SourceRunId);
        var parameters = TrackingValidation.Params(request.Params);
        var tags = TrackingValidation.Tags(request.Tags, TrackingValidation.RunTag);

        return (await store.CreateAsync(projectId, user.UserId(), experiment.Value, name, modelType, sourceRunId, parameters, tags, cancellationToken))
            .Respond(model => new LoggedModelResponse(model));
    }

    private static async Task<Results<Ok<LoggedModelResponse>, MlflowError>> Get(
        long projectId, string modelId, HttpRequest http, LoggedModelStore store, CancellationToken cancellationToken)
    {
        var allowDeleted = string.Equals(http.String("allow_deleted"), "true", StringComparison.OrdinalIgnoreCase);
        return (await store.FindAsync(projectId, modelId, allowDeleted, cancellationToken)).Respond(model => new LoggedModelResponse(model));
    }

    private static async Task<Results<Ok<LoggedModelResponse>, MlflowError>> FinalizeModel(
        long projectId, string modelId, JsonBody<FinalizeLoggedModelRequest> body, LoggedModelStore store, CancellationToken cancellationToken)
    {
        if (body.Value.Status is not { } status || !Statuses.Contains(status))
        {
            return MlflowError.InvalidParameterValue($"Invalid status '{body.Value.Status}'; use {string.Join(", ", Statuses)}.");
        }
        return (await store.FinalizeAsync(projectId, modelId, status, cancellationToken)).Respond(model => new LoggedModelResponse(model));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> Delete(long projectId, string modelId, LoggedModelStore store, CancellationToken cancellationToken)
    {
        return (await store.DeleteAsync(projectId, modelId, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    /// <summary>The filter, order and page token are parsed deep in the search; what they refuse is thrown as a 400.</summary>
    private static async Task<Results<Ok<SearchLoggedModelsResponse>, MlflowError>> Search(
        long projectId, JsonBody<SearchLoggedModelsRequest> body, LoggedModelSearch search, CancellationToken cancellationToken)
    {
        var (models, next) = await search.SearchAsync(projectId, body.Value, cancellationToken);
        return TypedResults.Ok(new SearchLoggedModelsResponse(models, next));
    }

    private static async Task<Results<Ok<LoggedModelResponse>, MlflowError>> SetTags(
        long projectId, string modelId, JsonBody<SetLoggedModelTagsRequest> body, LoggedModelStore store, CancellationToken cancellationToken)
    {
        var tags = TrackingValidation.Tags(body.Value.Tags, TrackingValidation.RunTag);
        return (await store.SetTagsAsync(projectId, modelId, tags, cancellationToken)).Respond(model => new LoggedModelResponse(model));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> DeleteTag(
        long projectId, string modelId, string key, LoggedModelStore store, CancellationToken cancellationToken)
    {
        return (await store.DeleteTagAsync(projectId, modelId, Keys.Validate(key, "tag"), cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> LogParams(
        long projectId, string modelId, JsonBody<LogLoggedModelParamsRequest> body, LoggedModelStore store, CancellationToken cancellationToken)
    {
        var parameters = TrackingValidation.Params(body.Value.Params);
        return (await store.LogParamsAsync(projectId, modelId, parameters, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    /// <summary>The model's files, one level at a time, relative to its artifact root.</summary>
    private static async Task<Results<Ok<ListArtifactsResponse>, MlflowError>> ListArtifacts(
        long projectId, string modelId, HttpRequest http, LoggedModelStore store, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        var directory = ArtifactPath.Normalize(http.String("artifact_directory_path"), allowEmpty: true);
        var model = await store.FindAsync(projectId, modelId, allowDeleted: false, cancellationToken);
        if (model.Error is { } error)
        {
            return error;
        }
        return TypedResults.Ok(await artifacts.ListUnderAsync(projectId, model.Value.Info.ArtifactUri, directory, cancellationToken));
    }
}
