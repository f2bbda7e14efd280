using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Registry.Api.Mlflow;

/// <summary>The request body type of an endpoint that binds <see cref="JsonBody{T}"/>.</summary>
public sealed record JsonBodyMetadata(Type Type);

internal static class OpenApiMetadata
{
    /// <summary>
    /// Declares error answers beyond the 400 and 404 that <see cref="MlflowError"/> in a result type declares: those a whole
    /// group can give (authentication, permission, a hidden project), or an endpoint's own (413, 416, 501).
    /// </summary>
    public static TBuilder ProducesMlflowErrors<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(MlflowErrorBody), ["application/json"]));
        }
        return builder;
    }

    /// <summary>Describes JSON bodies bound by <see cref="JsonBody{T}"/>, which OpenAPI cannot see by itself.</summary>
    public static OpenApiOptions DescribeJsonBodies(this OpenApiOptions options) => options.AddOperationTransformer(async (operation, context, cancellationToken) =>
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonBodyMetadata>().FirstOrDefault() is { } body)
        {
            var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        }
    });

    /// <summary>Describes <see cref="ModelVersionsJson"/>, written unparsed, as the array of model versions it is.</summary>
    public static OpenApiOptions DescribeRawModelVersions(this OpenApiOptions options)
    {
        // Inline, as every other list of versions is: the wrapper's name is not part of the wire contract.
        options.CreateSchemaReferenceId = type => type.Type == typeof(ModelVersionsJson) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        return options.AddSchemaTransformer(async (schema, context, cancellationToken) =>
        {
            if (context.JsonTypeInfo.Type == typeof(ModelVersionsJson))
            {
                var versions = await context.GetOrCreateSchemaAsync(typeof(IReadOnlyList<ModelVersion>), null, cancellationToken);
                schema.Type = versions.Type;
                schema.Items = versions.Items;
            }
        });
    }
}
