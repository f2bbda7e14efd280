using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Tracking;
using Registry.Data;

namespace Registry.Api.Features.Experiments;

internal static class ExperimentsApi
{
    public static RouteGroupBuilder MapExperiments(this RouteGroupBuilder mlflow)
    {
        var experiments = mlflow.MapGroup("experiments");
        experiments.MapPost("create", Create);
        experiments.MapGet("get", Get);
        experiments.MapGet("get-by-name", GetByName);
        experiments.MapPost("search", (long projectId, JsonBody<SearchExperimentsRequest> body, ExperimentSearch search, CancellationToken ct) =>
            Search(projectId, body.Value, search, ct)).Reads();
        experiments.MapGet("search", (long projectId, HttpRequest http, ExperimentSearch search, CancellationToken ct) =>
            Search(projectId, new SearchExperimentsRequest(http.Long("max_results"), http.String("page_token"), http.String("filter"),
                [.. http.Strings("order_by")], http.String("view_type")), search, ct));
        experiments.MapPost("update", Update);
        experiments.MapPost("delete", (long projectId, JsonBody<ExperimentIdRequest> body, ExperimentStore store, CancellationToken ct) =>
            SetDeleted(projectId, body.Value, deleted: true, store, ct));
        experiments.MapPost("restore", (long projectId, JsonBody<ExperimentIdRequest> body, ExperimentStore store, CancellationToken ct) =>
            SetDeleted(projectId, body.Value, deleted: false, store, ct));
        experiments.MapPost("set-experiment-tag", SetTag);
        experiments.MapMethods("delete-experiment-tag", ["POST", "DELETE"], DeleteTag);
        return mlflow;
    }

    private static async Task<Results<Ok<CreateExperimentResponse>, MlflowError>> Create(
        long projectId, JsonBody<CreateExperimentRequest> body, ClaimsPrincipal user, ExperimentStore store, CancellationToken cancellationToken)
    {
        var name = TrackingValidation.ExperimentName(body.Value.Name);
        if (ModelExperimentNames.IsReserved(name))
        {
            throw ModelExperimentNames.Reserved(name);
        }
        var artifactLocation = string.IsNullOrEmpty(body.Value.ArtifactLocation) ? null : Text.Storable(body.Value.ArtifactLocation, "artifact_location");
        var tags = TrackingValidation.Tags(body.Value.Tags, (key, value) =>
            new KeyValue(Keys.Validate(key, "tag"), Keys.Value(value, "tag", key ?? "", Limits.ExperimentTagValue)));

        return (await store.CreateAsync(projectId, user.UserId(), name, artifactLocation, tags, cancellationToken))
            .Respond(iid => new CreateExperimentResponse(WireIds.Text(iid)));
    }

    private static async Task<Results<Ok<ExperimentResponse>, MlflowError>> Get(
        long projectId, HttpRequest http, ExperimentStore store, CancellationToken cancellationToken)
    {
        var experimentId = ExperimentSql.RequireId(http.String("experiment_id"));
        if (experimentId.Error is { } error)
        {
            return error;
        }
        return (await store.FindAsync(projectId, experimentId.Value, cancellationToken)).Respond(experiment => new ExperimentResponse(experiment));
    }

    private static async Task<Results<Ok<ExperimentResponse>, MlflowError>> GetByName(
        long projectId, HttpRequest http, ExperimentStore store, CancellationToken cancellationToken)
    {
        var name = TrackingValidation.ExperimentName(http.String("experiment_name"), "experiment_name");
        return (await store.FindByNameAsync(projectId, name, cancellationToken)).Respond(experiment => new ExperimentResponse(experiment));
    }

    /// <summary>The filter, order and page token are parsed deep in the search; what they refuse is thrown as a 400.</summary>
    private static async Task<Results<Ok<SearchExperimentsResponse>, MlflowError>> Search(
        long projectId, SearchExperimentsRequest request, ExperimentSearch search, CancellationToken cancellationToken)
    {
        var (experiments, next) = await search.SearchAsync(
            projectId, request.Filter, request.ViewType, request.MaxResults, request.OrderBy ?? [], request.PageToken, cancellationToken);
        return TypedResults.Ok(new SearchExperimentsResponse(experiments, next));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> Update(
        long projectId, JsonBody<UpdateExperimentRequest> body, ExperimentStore store, CancellationToken cancellationToken)
    {
        var experimentId = ExperimentSql.RequireId(body.Value.ExperimentId);
        if (experimentId.Error is { } error)
        {
            return error;
        }
        var newName = TrackingValidation.ExperimentName(body.Value.NewName, "new_name");
        if (ModelExperimentNames.IsReserved(newName))
        {
            throw ModelExperimentNames.Reserved(newName);
        }

        return (await store.RenameAsync(projectId, experimentId.Value, newName, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> SetDeleted(
        long projectId, ExperimentIdRequest request, bool deleted, ExperimentStore store, CancellationToken cancellationToken)
    {
        var experimentId = ExperimentSql.RequireId(request.ExperimentId);
        if (experimentId.Error is { } error)
        {
            return error;
        }
        if (deleted && experimentId.Value.Iid == ExperimentSql.DefaultId)
        {
            // As MLflow's file store: runs started without an experiment land here, so it must stay usable.
            return MlflowError.InvalidParameterValue("Cannot delete the default experiment '0'. This is an internally reserved experiment.");
        }
        return (await store.SetDeletedAsync(projectId, experimentId.Value, deleted, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> SetTag(
        long projectId, JsonBody<SetExperimentTagRequest> body, ExperimentStore store, CancellationToken cancellationToken)
    {
        var experimentId = ExperimentSql.RequireId(body.Value.ExperimentId);
        if (experimentId.Error is { } error)
        {
            return error;
        }
        var key = Keys.Validate(body.Value.Key, "tag");
        var value = Keys.Value(body.Value.Value, "tag", key, Limits.ExperimentTagValue);
        return (await store.SetTagAsync(projectId, experimentId.Value, key, value, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> DeleteTag(
        long projectId, JsonBody<DeleteExperimentTagRequest> body, ExperimentStore store, CancellationToken cancellationToken)
    {
        var experimentId = ExperimentSql.RequireId(body.Value.ExperimentId);
        if (experimentId.Error is { } error)
        {
            return error;
        }
        var key = Keys.Validate(body.Value.Key, "tag");
        return (await store.DeleteTagAsync(projectId, experimentId.Value, key, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }
}
