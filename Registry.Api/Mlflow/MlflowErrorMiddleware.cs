using System.Text.Json;
using Npgsql;

namespace Registry.Api.Mlflow;

/// <summary>Turns every failure under the API into an MLflow error body: never an HTML page, ProblemDetails or an empty 500.</summary>
internal sealed class MlflowErrorMiddleware(RequestDelegate next, ILogger<MlflowErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var error = ErrorFor(exception);
            if (error.StatusCode >= 500)
            {
                logger.LogError(exception, "{Method} {Path} failed with {ErrorCode}", context.Request.Method, context.Request.Path, error.ErrorCode);
            }

            context.Response.Clear();
            await error.ExecuteAsync(context);
        }
    }

    private static MlflowError ErrorFor(Exception exception) => exception switch
    {
        MlflowException mlflow => mlflow.Error,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new MlflowError("INVALID_PARAMETER_VALUE", "The request body is larger than this server accepts.", StatusCodes.Status413PayloadTooLarge),
        BadHttpRequestException { InnerException: JsonException json } => MlflowError.InvalidParameterValue($"Malformed JSON request body: {json.Message}"),
        BadHttpRequestException badRequest => MlflowError.InvalidParameterValue(badRequest.Message),
        NpgsqlException { IsTransient: true } => MlflowError.TemporarilyUnavailable("The database is unavailable; retry shortly."),
        _ => MlflowError.InternalError("An internal error occurred."),
    };
}
