using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Registry.Api.Mlflow;

/// <summary>
/// An MLflow JSON request body. Binding it ourselves (instead of [FromBody]) keeps a wrong content type from
/// looking like a missing endpoint, words JSON errors as MLflow does, reads an empty body as <c>{}</c> as MLflow does,
/// and checks limits while reading (<see cref="JsonLimitStream"/>) so memory stays bounded whatever a client sends.
/// </summary>
public sealed record JsonBody<T>(T Value) : IEndpointParameterMetadataProvider where T : class
{
    /// <summary>
    /// Tells OpenAPI what the body is. Not as IAcceptsMetadata: routing would then match on Content-Type, and a wrong
    /// one would fall through to ENDPOINT_NOT_FOUND instead of the 400 a client should get.
    /// </summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyMetadata(typeof(T)));

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;
        var typeInfo = context.RequestServices.GetRequiredService<MlflowWire>().TypeInfo<T>();
        if (request.ContentLength == 0 || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return Empty(typeInfo);
        }
        // Checked here so the limit holds whatever server hosts the API; Kestrel enforces it too for chunked bodies.
        var limits = context.RequestServices.GetRequiredService<IOptions<RequestLimits>>().Value;
        if (request.ContentLength > limits.MaxRequestBodyBytes)
        {
            throw new MlflowException(new MlflowError("INVALID_PARAMETER_VALUE",
                $"The request body is {request.ContentLength} bytes; this server accepts at most {limits.MaxRequestBodyBytes}.", StatusCodes.Status413PayloadTooLarge));
        }
        if (!request.HasJsonContentType())
        {
            throw new MlflowException(MlflowError.InvalidParameterValue(
                $"Content-Type must be 'application/json' (got '{request.ContentType}')."));
        }
        await context.RequestServices.GetRequiredService<LargeBodyGate>().WaitAsync(context);

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(new JsonLimitStream(request.Body, limits.MaxRequestBodyBytes), typeInfo, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new MlflowException(MlflowError.InvalidParameterValue(await JsonBodyErrors.DescribeAsync(e, request, context.RequestAborted)));
        }
        if (value is null)
        {
            return Empty(typeInfo);
        }
        JsonBodyErrors.RejectNullElements(value, typeInfo);
        return new JsonBody<T>(value);
    }

    private static JsonBody<T> Empty(JsonTypeInfo<T> typeInfo) => new(JsonSerializer.Deserialize("{}"u8, typeInfo)!);
}
