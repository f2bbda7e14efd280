using System.Collections;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Registry.Api.Mlflow;

/// <summary>
/// Words what is wrong with a JSON body the way MLflow's server does: a value of the wrong type is
/// <see cref="MlflowMessages.InvalidType"/> with the value and its Python type, and a list holding <c>null</c> is refused
/// for every list of every request here, once, instead of in each handler.
/// </summary>
internal static class JsonBodyErrors
{
    /// <summary>Values quoted in messages are cut here: a message is not a place to echo a body back.</summary>
    private const int MaxQuotedBytes = 1000;

    private static readonly ConcurrentDictionary<Type, bool> HoldsLists = new();

    /// <summary>Throws INVALID_PARAMETER_VALUE when any list in <paramref name="value"/>, at any depth, holds a null.</summary>
    public static void RejectNullElements(object value, JsonTypeInfo typeInfo) => Visit(value, typeInfo, "");

    private static void Visit(object value, JsonTypeInfo typeInfo, string path)
    {
        if (typeInfo.Kind == JsonTypeInfoKind.Enumerable && value is IEnumerable items)
        {
            var elementInfo = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
            var index = 0;
            foreach (var item in items)
            {
                if (item is null)
                {
                    throw new MlflowException(MlflowError.InvalidParameterValue(
                        MlflowMessages.InvalidType(path, Quoted(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo)), "list")));
                }
                if (MayHoldLists(elementInfo))
                {
                    Visit(item, elementInfo, $"{path}[{index}]");
                }
                index++;
            }
        }
        else if (typeInfo.Kind == JsonTypeInfoKind.Object)
        {
            foreach (var property in typeInfo.Properties)
            {
                var propertyInfo = typeInfo.Options.GetTypeInfo(property.PropertyType);
                if (property.Get is { } get && MayHoldLists(propertyInfo) && get(value) is { } child)
                {
                    Visit(child, propertyInfo, path.Length == 0 ? property.Name : $"{path}.{property.Name}");
                }
            }
        }
    }

    private static bool MayHoldLists(JsonTypeInfo typeInfo) => HoldsLists.GetOrAdd(typeInfo.Type, _ => typeInfo.Kind switch
    {
        JsonTypeInfoKind.Enumerable => true,
        // Records refer to no type that refers back to them, so this terminates.
        JsonTypeInfoKind.Object => typeInfo.Properties.Any(p => MayHoldLists(typeInfo.Options.GetTypeInfo(p.PropertyType))),
        _ => false,
    });

    /// <summary>
    /// A value the serializer could not take: the parameter is named by its path (<c>name</c>, <c>metrics[0].value</c>),
    /// and the value and its Python type are read again from the buffered body. A body that is not JSON at all, or not
    /// an object, keeps our own message.
    /// </summary>
    public static async Task<string> DescribeAsync(JsonException exception, HttpRequest request, CancellationToken cancellationToken)
    {
        var generic = $"The request body is not valid JSON for this endpoint{(exception.Path is null or "$" ? "" : $" at '{exception.Path}'")} " +
            $"(line {exception.LineNumber}, byte {exception.BytePositionInLine}).";
        if (exception.Path is not { Length: > 2 } path || !request.Body.CanSeek || JsonPath.Parse(path) is not { } target)
        {
            return generic;
        }
        request.Body.Position = 0;
        try
        {
            return await JsonPath.FindAsync(request.Body, target, cancellationToken) is { } found
                ? MlflowMessages.InvalidType(JsonPath.Display(target), Quoted(found.Json), found.PythonType)
                : generic;
        }
        catch (Exception e) when (e is JsonException or MlflowException or InvalidOperationException)
        {
            return generic;
        }
    }

    private static string Quoted(ReadOnlySpan<byte> json) => json.Length <= MaxQuotedBytes
        ? Encoding.UTF8.GetString(json)
        : Encoding.UTF8.GetString(json[..MaxQuotedBytes]) + "...";

    /// <summary>Compact JSON as Python's <c>json.dumps(value, separators=(",", ":"))</c> writes it, near enough to read.</summary>
    internal static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
}
