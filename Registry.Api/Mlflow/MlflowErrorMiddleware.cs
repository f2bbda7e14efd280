using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Registry.Api.Mlflow;

/// <summary>
/// Turns every failure under the API into an MLflow error body: never an HTML page, ProblemDetails or an empty 500.
/// A deadlock or serialization failure is not answered but run again: each request's database work is one statement
/// (or one transaction) that rolled back whole, and the stores keep no state between statements, so repeating it is safe.
/// </summary>
internal sealed class MlflowErrorMiddleware(
    RequestDelegate next, ILogger<MlflowErrorMiddleware> logger, IOptions<RequestLimits> limits, ExpectedFailureLog expected)
{
    private const int Attempts = 4;

    /// <summary>FileBufferingReadStream rents its buffer from the array pool up to this size.</summary>
    private const int InMemoryBodyBytes = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        context.Request.Body = new ClientBodyStream(context.Request.Body);
        var replayable = MakeReplayable(context.Request);
        for (var attempt = 1; !await TryInvokeAsync(context, attempt, replayable); attempt++)
        {
        }
    }

    /// <summary>
    /// Requests without a body, and JSON bodies (kept as they are read), can run twice and be read again for an error
    /// message; artifact uploads stream once. A body of known length up to <see cref="InMemoryBodyBytes"/> is kept in one
    /// pooled buffer of its size: spooling a large log-batch to a temporary file costs more CPU than parsing it. Bodies over
    /// <see cref="LargeBodyGate.Threshold"/> are read a few at a time (<see cref="LargeBodyGate"/>), so this stays bounded.
    /// Chunked bodies, of unknown length, keep the default: memory up to 30 KB, a file past it.
    /// </summary>
    private bool MakeReplayable(HttpRequest request)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return true;
        }
        if (request.ContentLength > limits.Value.MaxRequestBodyBytes || !request.HasJsonContentType())
        {
            return false;
        }
        if (request.ContentLength is { } length && length <= InMemoryBodyBytes)
        {
            request.EnableBuffering(bufferThreshold: (int)length);
        }
        else
        {
            request.EnableBuffering();
        }
        return true;
    }

    /// <returns>false when the attempt lost a deadlock or serialization conflict and should run again.</returns>
    private async Task<bool> TryInvokeAsync(HttpContext context, int attempt, bool replayable)
    {
        try
        {
            await next(context);
            return true;
        }
        catch (Exception e) when (IsConflict(e) && replayable && attempt < Attempts && !context.Response.HasStarted)
        {
            logger.LogWarning("{Method} {Path} lost a deadlock or serialization conflict (attempt {Attempt}); running it again",
                context.Request.Method, context.Request.Path, attempt);
            if (context.Request.Body.CanSeek)
            {
                context.Request.Body.Position = 0;
            }
            context.Response.Clear();
            await Task.Delay(Random.Shared.Next(5, 20 * attempt), context.RequestAborted);
            return false;
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var error = ErrorFor(exception);
            if (error.StatusCode is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status501NotImplemented)
            {
                expected.Log(error);
            }
            else if (error.StatusCode >= 500)
            {
                logger.LogError(exception, "{Method} {Path} failed with {ErrorCode}", context.Request.Method, context.Request.Path, error.ErrorCode);
            }

            context.Response.Clear();
            await error.ExecuteAsync(context);
            return true;
        }
    }

    private static MlflowError ErrorFor(Exception exception) => exception switch
    {
        MlflowException mlflow => mlflow.Error,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new MlflowError("INVALID_PARAMETER_VALUE", "The request body is larger than this server accepts.", StatusCodes.Status413PayloadTooLarge),
        BadHttpRequestException { InnerException: JsonException json } => MlflowError.InvalidParameterValue($"Malformed JSON request body: {json.Message}"),
        BadHttpRequestException badRequest => MlflowError.InvalidParameterValue(badRequest.Message),
        // Class 22 is PostgreSQL refusing a value the caller sent (a LIKE pattern ending in its escape character, a
        // number out of range): bad input, not a server fault.
        PostgresException { SqlState: var state } data when state.StartsWith("22", StringComparison.Ordinal) =>
            MlflowError.InvalidParameterValue($"Invalid value: {data.MessageText}."),
        // Every reference a request makes is checked by its own statement, so a foreign key refusing one means a
        // concurrent delete (of the project, the experiment, the model) won the race: what it referred to is gone.
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } =>
            MlflowError.ResourceDoesNotExist("A resource this request refers to was deleted while it ran."),
        _ when IsConflict(exception) => MlflowError.TemporarilyUnavailable("The request kept colliding with concurrent writes; retry it."),
        NpgsqlException { IsTransient: true } or { InnerException: NpgsqlException { IsTransient: true } } =>
            MlflowError.TemporarilyUnavailable("The database is unavailable; retry shortly."),
        _ => MlflowError.InternalError("An internal error occurred."),
    };

    /// <summary>A PostgresException, thrown as it is or wrapped once.</summary>
    private static bool IsConflict(Exception exception) =>
        (exception as PostgresException ?? exception.InnerException as PostgresException)?.SqlState
            is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;
}
