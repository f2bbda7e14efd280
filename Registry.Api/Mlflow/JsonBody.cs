using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Registry.Api.Mlflow;

/// <summary>
/// An MLflow JSON request body. Binding it ourselves (instead of [FromBody]) keeps a wrong content type from
/// looking like a missing endpoint, words JSON errors for people, and reads an empty body as <c>{}</c> as MLflow does.
/// </summary>
public sealed record JsonBody<T>(T Value) : IEndpointParameterMetadataProvider where T : class
{
    /// <summary>
    /// Tells OpenAPI what the body is. Not as IAcceptsMetadata: routing would then match on Content-Type, and a wrong
    /// one would fall through to ENDPOINT_NOT_FOUND instead of the 400 a client should get.
    /// </summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyMetadata(typeof(T)));

    private static readonly JsonTypeInfo<T> TypeInfo = (JsonTypeInfo<T>)MlflowJsonContext.Wire.GetTypeInfo(typeof(T))!;

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;
        if (request.ContentLength == 0 || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return Empty();
        }
        // Checked here so the limit holds whatever server hosts the API; Kestrel enforces it too for chunked bodies.
        var limit = context.RequestServices.GetRequiredService<IOptions<RequestLimits>>().Value.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            throw new MlflowException(new MlflowError("INVALID_PARAMETER_VALUE",
                $"The request body is {request.ContentLength} bytes; this server accepts at most {limit}.", StatusCodes.Status413PayloadTooLarge));
        }
        if (!request.HasJsonContentType())
        {
            throw new MlflowException(MlflowError.InvalidParameterValue(
                $"Content-Type must be 'application/json' (got '{request.ContentType}')."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, TypeInfo, context.RequestAborted);
            return value is null ? Empty() : new JsonBody<T>(value);
        }
        catch (JsonException e)
        {
            var where = e.Path is null or "$" ? "" : $" at '{e.Path}'";
            throw new MlflowException(MlflowError.InvalidParameterValue(
                $"The request body is not valid JSON for this endpoint{where} (line {e.LineNumber}, byte {e.BytePositionInLine})."));
        }
    }

    private static JsonBody<T> Empty() => new(JsonSerializer.Deserialize("{}"u8, TypeInfo)!);
}
