using Microsoft.AspNetCore.Http.Metadata;

namespace Registry.Api.Mlflow;

/// <summary>
/// An MLflow error: <c>{"error_code": ..., "message": ...}</c> with the HTTP status MLflow uses for the code.
/// Handlers return it as a result; deeper code throws it inside <see cref="MlflowException"/>.
/// </summary>
/// <param name="status">Only where HTTP needs a status MLflow's table has no code for (413 for an oversized upload).</param>
public sealed class MlflowError(string errorCode, string message, int? status = null) : IResult, IEndpointMetadataProvider
{
    /// <summary>Tells OpenAPI that an endpoint answering with an error answers with MLflow's error body.</summary>
    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder)
    {
        foreach (var status in new[] { 400, 404 })
        {
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(MlflowErrorBody), ["application/json"]));
        }
    }

    public string ErrorCode { get; } = errorCode;
    public string Message { get; } = message;
    public int StatusCode => status ?? StatusFor(ErrorCode);

    public static MlflowError InvalidParameterValue(string message) => new("INVALID_PARAMETER_VALUE", message);
    public static MlflowError ResourceAlreadyExists(string message) => new("RESOURCE_ALREADY_EXISTS", message);
    public static MlflowError ResourceDoesNotExist(string message) => new("RESOURCE_DOES_NOT_EXIST", message);
    public static MlflowError EndpointNotFound(string message) => new("ENDPOINT_NOT_FOUND", message);
    public static MlflowError Unauthenticated(string message) => new("UNAUTHENTICATED", message);
    public static MlflowError PermissionDenied(string message) => new("PERMISSION_DENIED", message);
    public static MlflowError TemporarilyUnavailable(string message) => new("TEMPORARILY_UNAVAILABLE", message);
    public static MlflowError InternalError(string message) => new("INTERNAL_ERROR", message);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        return httpContext.Response.WriteAsJsonAsync(new MlflowErrorBody(ErrorCode, Message), MlflowJsonContext.Wire.MlflowErrorBody);
    }

    /// <summary>MLflow's status table (mlflow/exceptions.py).</summary>
    public static int StatusFor(string errorCode) => errorCode switch
    {
        "INVALID_PARAMETER_VALUE" or "BAD_REQUEST" or "RESOURCE_ALREADY_EXISTS" or "INVALID_STATE_TRANSITION" => 400,
        "UNAUTHENTICATED" => 401,
        "PERMISSION_DENIED" => 403,
        "RESOURCE_DOES_NOT_EXIST" or "ENDPOINT_NOT_FOUND" => 404,
        "ALREADY_EXISTS" or "RESOURCE_CONFLICT" or "ABORTED" => 409,
        "REQUEST_LIMIT_EXCEEDED" or "RESOURCE_EXHAUSTED" => 429,
        "NOT_IMPLEMENTED" => 501,
        "TEMPORARILY_UNAVAILABLE" => 503,
        _ => 500,
    };
}

public sealed record MlflowErrorBody(string ErrorCode, string Message);

/// <summary>Thrown where returning a result is awkward (validation deep in a request); the error middleware answers it.</summary>
public sealed class MlflowException(MlflowError error) : Exception(error.Message)
{
    public MlflowError Error { get; } = error;
}
