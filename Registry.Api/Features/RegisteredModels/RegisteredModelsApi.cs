using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.RegisteredModels;

internal static class RegisteredModelsApi
{
    public static RouteGroupBuilder MapRegisteredModels(this RouteGroupBuilder mlflow)
    {
        var models = mlflow.MapGroup("registered-models");
        models.MapPost("create", Create);
        models.MapGet("get", Get);
        models.MapPatch("update", Update);
        models.MapPost("rename", Rename);
        models.MapDelete("delete", Delete);
        models.MapPost("set-tag", SetTag);
        models.MapDelete("delete-tag", DeleteTag);
        models.MapGet("search", Search);
        return mlflow;
    }

    private static async Task<Results<Ok<RegisteredModelResponse>, MlflowError>> Create(
        long projectId, JsonBody<CreateRegisteredModelRequest> body, ClaimsPrincipal user, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var name = RegisteredModelValidation.Name(request.Name);
        Telemetry.Tag("registry.model_name", name);
        var description = RegisteredModelValidation.Description(request.Description);
        var tags = RegisteredModelValidation.Tags(request.Tags);

        return (await store.CreateAsync(projectId, user.UserId(), name, description, tags, cancellationToken)).Respond(model => new RegisteredModelResponse(model));
    }

    private static async Task<Results<Ok<RegisteredModelResponse>, MlflowError>> Get(
        long projectId, HttpRequest http, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(http.String("name"));
        Telemetry.Tag("registry.model_name", name);

        return (await store.FindAsync(projectId, name, cancellationToken)).Respond(model => new RegisteredModelResponse(model));
    }

    private static async Task<Results<Ok<RegisteredModelResponse>, MlflowError>> Update(
        long projectId, JsonBody<UpdateRegisteredModelRequest> body, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        Telemetry.Tag("registry.model_name", name);
        var description = RegisteredModelValidation.Description(body.Value.Description);

        return (await store.UpdateDescriptionAsync(projectId, name, description, cancellationToken)).Respond(model => new RegisteredModelResponse(model));
    }

    private static async Task<Results<Ok<RegisteredModelResponse>, MlflowError>> Rename(
        long projectId, JsonBody<RenameRegisteredModelRequest> body, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        var newName = RegisteredModelValidation.Name(body.Value.NewName, "new_name");
        Telemetry.Tag("registry.model_name", name);

        return (await store.RenameAsync(projectId, name, newName, cancellationToken)).Respond(model => new RegisteredModelResponse(model));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> Delete(
        long projectId, JsonBody<DeleteRegisteredModelRequest> body, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        Telemetry.Tag("registry.model_name", name);

        return (await store.DeleteAsync(projectId, name, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> SetTag(
        long projectId, JsonBody<SetRegisteredModelTagRequest> body, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        Telemetry.Tag("registry.model_name", name);
        var key = RegisteredModelValidation.TagKey(body.Value.Key);
        var value = RegisteredModelValidation.TagValue(body.Value.Value, key);

        return (await store.SetTagAsync(projectId, name, key, value, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> DeleteTag(
        long projectId, JsonBody<DeleteRegisteredModelTagRequest> body, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        var name = RegisteredModelValidation.Name(body.Value.Name);
        Telemetry.Tag("registry.model_name", name);
        var key = RegisteredModelValidation.TagKey(body.Value.Key);

        return (await store.DeleteTagAsync(projectId, name, key, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    /// <summary>The filter, order and page token are parsed deep in the search; what they refuse is thrown as a 400.</summary>
    private static async Task<Results<Ok<SearchRegisteredModelsResponse>, MlflowError>> Search(
        long projectId, HttpRequest http, RegisteredModelSearch search, CancellationToken cancellationToken)
    {
        var (models, next) = await search.SearchAsync(
            projectId, http.String("filter"), http.Long("max_results"), http.Strings("order_by"), http.String("page_token"), cancellationToken);
        return TypedResults.Ok(new SearchRegisteredModelsResponse(models, next));
    }
}
