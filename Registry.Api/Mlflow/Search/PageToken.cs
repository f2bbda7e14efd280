using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Registry.Api.Mlflow.Search;

/// <summary>
/// Opaque keyset page tokens: the sort key values of the last row served, bound to the query they came from.
/// Keyset paging stays stable while rows are inserted, and each page costs the same however deep it is.
/// </summary>
public static class PageToken
{
    /// <param name="query">Everything that shapes the result order and membership (filter, order, view).</param>
    public static string Encode(string query, IEnumerable<object> keys)
    {
        var payload = new JsonObject
        {
            ["q"] = Fingerprint(query),
            ["k"] = new JsonArray([.. keys.Select(k => k switch
            {
                string s => JsonValue.Create(s),
                long l => (JsonNode)JsonValue.Create(l),
                _ => throw new ArgumentException($"Unsupported page key type {k.GetType()}"),
            })]),
        };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <returns>The key values, each a string or a long; null when there is no token (the first page).</returns>
    public static IReadOnlyList<object>? Decode(string? token, string query, IReadOnlyList<Type> keyTypes)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=')));
            if (JsonNode.Parse(json) is JsonObject { } payload
                && (string?)payload["q"] == Fingerprint(query)
                && payload["k"] is JsonArray keys && keys.Count == keyTypes.Count)
            {
                return [.. keys.Select((key, i) => keyTypes[i] == typeof(long) ? (object)key!.GetValue<long>() : key!.GetValue<string>())];
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
        }
        throw FilterParser.Invalid("Invalid page_token: it is malformed or belongs to a different query (filter and order_by must not change while paging).");
    }

    private static string Fingerprint(string query) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(query)), 0, 8);
}
