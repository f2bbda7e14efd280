using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
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

        return (await store.LatestVersionsAsync(projectId, name, stages, cancellationToken)).Respond(latest => new ModelVersionsResponse(latest));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> SetAlias(
        long projectId, JsonBody<SetAliasRequest> body, StageAndAliasStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        var alias = ModelVersionValidation.Alias(body.Value.Alias);
        var version = ModelVersionValidation.Version(body.Value.Version);

        return (await store.SetAliasAsync(projectId, name, alias, version, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> DeleteAlias(
        long projectId, JsonBody<DeleteAliasRequest> body, StageAndAliasStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        var alias = ModelVersionValidation.Alias(body.Value.Alias);

        return (await store.DeleteAliasAsync(projectId, name, alias, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<ModelVersionResponse>, MlflowError>> GetByAlias(
        long projectId, HttpRequest http, StageAndAliasStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(http.String("name"));
        var alias = ModelVersionValidation.Alias(http.String("alias"));

        return (await store.FindByAliasAsync(projectId, name, alias, cancellationToken)).Respond(version => new ModelVersionResponse(version));
    }
}
