using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Registry.Api.Mlflow;

/// <summary>
/// The wire's options (<see cref="MlflowJsonContext.ConfigureWire"/>) over every feature's source-generated context, chained
/// where the API is composed (<c>RegistryApi</c>): request bodies of any feature are read with it (<see cref="JsonBody{T}"/>).
/// Source generation only: a type no context has fails here, never silently through reflection.
/// </summary>
internal sealed class MlflowWire
{
    public MlflowWire(IReadOnlyList<IJsonTypeInfoResolver> contexts)
    {
        Options = MlflowJsonContext.ConfigureWire(new JsonSerializerOptions());
        Options.TypeInfoResolver = JsonTypeInfoResolver.Combine([.. contexts]);
        Options.MakeReadOnly();
    }

    public JsonSerializerOptions Options { get; }

    public JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
}
