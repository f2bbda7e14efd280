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
        return mlflow;
    }

    private static async Task<Results<Ok<RegisteredModelResponse>, MlflowError>> Create(
        long projectId, JsonBody<CreateRegisteredModelRequest> body, ClaimsPrincipal user, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation("registered_models.create", projectId);
        var request = body.Value;
        var name = RegisteredModelValidation.Name(request.Name);
        activity?.SetTag("registry.model_name", name);
        var description = RegisteredModelValidation.Description(request.Description);
        var tags = RegisteredModelValidation.Tags(request.Tags);

        var model = await store.CreateAsync(projectId, user.UserId(), name, description, tags, cancellationToken);
        return model is null
            ? MlflowError.ResourceAlreadyExists($"Registered Model (name={name}) already exists.")
            : TypedResults.Ok(new RegisteredModelResponse(model));
    }

    private static async Task<Results<Ok<RegisteredModelResponse>, MlflowError>> Get(
        long projectId, string? name, RegisteredModelStore store, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartOperation("registered_models.get", projectId);
        var validName = RegisteredModelValidation.Name(name);
        activity?.SetTag("registry.model_name", validName);

        var model = await store.FindAsync(projectId, validName, cancellationToken);
        return model is null
            ? MlflowError.ResourceDoesNotExist($"Registered Model with name={validName} not found")
            : TypedResults.Ok(new RegisteredModelResponse(model));
    }
}
