using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Features.RegisteredModels;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.ModelVersions;

/// <summary>The registered-models RPCs that answer with versions: latest per stage, and aliases.</summary>
internal static class AliasesAndLatestApi
{
    public static RouteGroupBuilder MapAliasesAndLatest(this RouteGroupBuilder mlflow)
    {
        var models = mlflow.MapGroup("registered-models");
        // The client POSTs first and falls back to GET only on ENDPOINT_NOT_FOUND; both work here.
        models.MapPost("get-latest-versions", (long projectId, JsonBody<GetLatestVersionsRequest> body, StageAndAliasStore store, CancellationToken ct) =>
            LatestVersions(projectId, body.Value.Name, body.Value.Stages, store, ct)).Reads();
        models.MapGet("get-latest-versions", (long projectId, HttpRequest http, StageAndAliasStore store, CancellationToken ct) =>
            LatestVersions(projectId, http.String("name"), [.. http.Strings("stages")], store, ct));
        models.MapPost("alias", SetAlias);
        models.MapDelete("alias", DeleteAlias);
        models.MapGet("alias", GetByAlias);
        return mlflow;
    }

    private static async Task<Results<Ok<ModelVersionsResponse>, MlflowError>> LatestVersions(
        long projectId, string? requestedName, List<string?>? requestedStages, StageAndAliasStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(requestedName);
        string[] stages = requestedStages is { Count: > 0 }
            ? [.. requestedStages.Select(ModelVersionValidation.Stage).Distinct()]
            : ModelVersionValidation.Stages;

        var latest = await store.LatestVersionsAsync(projectId, name, stages, cancellationToken);
        return latest is null ? ModelVersionsApi.ModelNotFound(name) : TypedResults.Ok(new ModelVersionsResponse(latest));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> SetAlias(
        long projectId, JsonBody<SetAliasRequest> body, StageAndAliasStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        var alias = ModelVersionValidation.Alias(body.Value.Alias);
        var version = ModelVersionValidation.Version(body.Value.Version);

        return await store.SetAliasAsync(projectId, name, alias, version, cancellationToken) switch
        {
            PointerOutcome.Done => TypedResults.Ok(EmptyResponse.Instance),
            PointerOutcome.ModelNotFound => ModelVersionsApi.ModelNotFound(name),
            _ => ModelVersionsApi.VersionNotFound(name, version),
        };
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> DeleteAlias(
        long projectId, JsonBody<DeleteAliasRequest> body, StageAndAliasStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        var alias = ModelVersionValidation.Alias(body.Value.Alias);

        return await store.DeleteAliasAsync(projectId, name, alias, cancellationToken) ? TypedResults.Ok(EmptyResponse.Instance) : ModelVersionsApi.ModelNotFound(name);
    }

    private static async Task<Results<Ok<ModelVersionResponse>, MlflowError>> GetByAlias(
        long projectId, HttpRequest http, StageAndAliasStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(http.String("name"));
        var alias = ModelVersionValidation.Alias(http.String("alias"));

        // MLflow's codes: a missing model is RESOURCE_DOES_NOT_EXIST, an alias it does not have INVALID_PARAMETER_VALUE.
        return await store.FindByAliasAsync(projectId, name, alias, cancellationToken) switch
        {
            (false, _) => ModelVersionsApi.ModelNotFound(name),
            (_, null) => MlflowError.InvalidParameterValue($"Registered model alias {alias} not found."),
            (_, { } version) => TypedResults.Ok(new ModelVersionResponse(version)),
        };
    }
}
