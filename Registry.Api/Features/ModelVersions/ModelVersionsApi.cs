using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Data;

namespace Registry.Api.Features.ModelVersions;

internal static class ModelVersionsApi
{
    public static RouteGroupBuilder MapModelVersions(this RouteGroupBuilder mlflow)
    {
        var versions = mlflow.MapGroup("model-versions");
        versions.MapPost("create", Create);
        versions.MapGet("get", Get);
        versions.MapPatch("update", Update);
        versions.MapDelete("delete", Delete);
        versions.MapGet("search", Search);
        versions.MapPost("transition-stage", TransitionStage);
        versions.MapPost("set-tag", SetTag);
        versions.MapDelete("delete-tag", DeleteTag);
        versions.MapGet("get-download-uri", GetDownloadUri);
        return mlflow;
    }

    private static async Task<Results<Ok<ModelVersionResponse>, MlflowError>> Create(
        long projectId, JsonBody<CreateModelVersionRequest> body, ClaimsPrincipal user, ModelVersionStore store, ModelSources sources,
        CancellationToken cancellationToken)
    {
        var request = body.Value;
        var name = RegisteredModelValidation.Name(request.Name);
        Telemetry.Tag("registry.model_name", name);
        var tags = RegisteredModelValidation.Tags(request.Tags);
        var source = sources.Validate(ModelVersionValidation.Source(request.Source), ModelSources.IsPrompt(tags), !string.IsNullOrEmpty(request.ModelId));
        var runId = ModelVersionValidation.Optional(request.RunId, "run_id", Limits.RunId);
        var runLink = ModelVersionValidation.Optional(request.RunLink, "run_link", Limits.RunLink);
        var description = RegisteredModelValidation.Description(request.Description);
        // MLflow 3 registers logged models: models:/<model_id> sources carry the id too, and without a run_id the
        // version takes the logged model's source run.
        var loggedModelId = ModelVersionValidation.Optional(request.ModelId, "model_id", 40)
            ?? (source.StartsWith("models:/m-", StringComparison.Ordinal) ? source["models:/".Length..].Split('/')[0] : null);

        return (await store.CreateAsync(projectId, user.UserId(), name, source, runId, runLink, description, tags, loggedModelId, cancellationToken))
            .Respond(version => new ModelVersionResponse(version));
    }

    private static async Task<Results<Ok<ModelVersionResponse>, MlflowError>> Get(
        long projectId, HttpRequest http, ModelVersionStore store, CancellationToken cancellationToken)
    {
        var (name, version) = (RegisteredModelValidation.Name(http.String("name")), ModelVersionValidation.Version(http.String("version")));

        return (await store.FindAsync(projectId, name, version, cancellationToken)).Respond(found => new ModelVersionResponse(found));
    }

    private static async Task<Results<Ok<ModelVersionResponse>, MlflowError>> Update(
        long projectId, JsonBody<UpdateModelVersionRequest> body, ModelVersionStore store, CancellationToken cancellationToken)
    {
        var (name, version) = (RegisteredModelValidation.Name(body.Value.Name), ModelVersionValidation.Version(body.Value.Version));
        var description = RegisteredModelValidation.Description(body.Value.Description);

        return (await store.UpdateDescriptionAsync(projectId, name, version, description, cancellationToken)).Respond(updated => new ModelVersionResponse(updated));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> Delete(
        long projectId, JsonBody<ModelVersionRequest> body, ModelVersionStore store, CancellationToken cancellationToken)
    {
        var (name, version) = (RegisteredModelValidation.Name(body.Value.Name), ModelVersionValidation.Version(body.Value.Version));

        return (await store.DeleteAsync(projectId, name, version, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    /// <summary>The filter, order and page token are parsed deep in the search; what they refuse is thrown as a 400.</summary>
    private static async Task<Results<Ok<SearchModelVersionsResponse>, MlflowError>> Search(
        long projectId, HttpRequest http, ModelVersionSearch search, CancellationToken cancellationToken)
    {
        var (versions, next) = await search.SearchAsync(
            projectId, http.String("filter"), http.Long("max_results"), http.Strings("order_by"), http.String("page_token"), cancellationToken);
        return TypedResults.Ok(new SearchModelVersionsResponse(versions, next));
    }

    private static async Task<Results<Ok<ModelVersionResponse>, MlflowError>> TransitionStage(
        long projectId, JsonBody<TransitionStageRequest> body, StageAndAliasStore store, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var (name, version) = (RegisteredModelValidation.Name(request.Name), ModelVersionValidation.Version(request.Version));
        var stage = ModelVersionValidation.Stage(request.Stage);
        if (request.ArchiveExistingVersions is not { } archive)
        {
            return MlflowError.InvalidParameterValue(MlflowMessages.Missing("archive_existing_versions"));
        }
        if (archive && stage is not ("Staging" or "Production"))
        {
            return MlflowError.InvalidParameterValue(
                $"Model version transition cannot archive existing model versions because '{stage}' is not an active stage; only Staging and Production are.");
        }

        return (await store.TransitionAsync(projectId, name, version, stage, archive, cancellationToken)).Respond(moved => new ModelVersionResponse(moved));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> SetTag(
        long projectId, JsonBody<SetModelVersionTagRequest> body, ModelVersionStore store, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var (name, version) = (RegisteredModelValidation.Name(request.Name), ModelVersionValidation.Version(request.Version));
        var key = RegisteredModelValidation.TagKey(request.Key);
        var value = RegisteredModelValidation.TagValue(request.Value, key);

        return (await store.SetTagAsync(projectId, name, version, key, value, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> DeleteTag(
        long projectId, JsonBody<DeleteModelVersionTagRequest> body, ModelVersionStore store, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var (name, version) = (RegisteredModelValidation.Name(request.Name), ModelVersionValidation.Version(request.Version));
        var key = RegisteredModelValidation.TagKey(request.Key);

        return (await store.DeleteTagAsync(projectId, name, version, key, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    /// <summary>
    /// Where the version's files can be downloaded. A <c>models:/&lt;name&gt;/&lt;version&gt;</c> source (a copied version)
    /// is followed to the version it names, a <c>runs:/&lt;run&gt;/&lt;path&gt;</c> source resolves to that run's artifact
    /// location and <c>models:/&lt;model_id&gt;</c> to the logged model's (both served by the mlflow-artifacts proxy); any
    /// other source is returned as registered, unless it would send the caller's credentials to a host not allowed.
    /// </summary>
    private static async Task<Results<Ok<DownloadUriResponse>, MlflowError>> GetDownloadUri(
        long projectId, HttpRequest http, ModelVersionStore store, ModelSources sources, CancellationToken cancellationToken)
    {
        var (name, version) = (RegisteredModelValidation.Name(http.String("name")), ModelVersionValidation.Version(http.String("version")));

        var outcome = await store.ResolveDownloadUriAsync(projectId, name, version, cancellationToken);
        if (outcome.Error is { } error)
        {
            return error;
        }
        var resolved = outcome.Value;
        if (resolved.Unresolved)
        {
            return MlflowError.InvalidParameterValue(
                $"Unable to fetch model from model URI source artifact location '{resolved.Uri}': its chain of copies is longer than " +
                $"{ModelVersionStore.MaxCopyDepth} or returns to itself.");
        }
        if (sources.ForeignHost(resolved.Uri) is { } host)
        {
            return MlflowError.InvalidParameterValue(
                $"Model Version (name={name}, version={version}) has source '{resolved.Uri}', which would send your credentials to '{host}'; " +
                "this server does not hand it out. Register the files again under this project's artifacts.");
        }
        return TypedResults.Ok(new DownloadUriResponse(resolved.Uri));
    }
}
