namespace Registry.Api.Mlflow.Search;

public sealed record OrderKey(string Key, bool Descending);

/// <summary>MLflow's <c>order_by</c> entries: <c>"&lt;key&gt; [ASC|DESC]"</c>; keys are canonicalised through the caller's aliases.</summary>
public static class OrderBy
{
    public static List<OrderKey> Parse(IEnumerable<string> entries, IReadOnlyDictionary<string, string> keysByAlias)
    {
        var keys = new List<OrderKey>();
        foreach (var entry in entries.Where(e => !string.IsNullOrWhiteSpace(e)))
        {
            var parts = entry.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var descending = parts.Length == 2 && parts[1].Equals("DESC", StringComparison.OrdinalIgnoreCase);
            if (parts.Length > 2 || (parts.Length == 2 && !descending && !parts[1].Equals("ASC", StringComparison.OrdinalIgnoreCase)))
            {
                throw FilterParser.Invalid($"Invalid order_by clause '{entry}': expected '<key> [ASC|DESC]'.");
            }
            if (!keysByAlias.TryGetValue(parts[0], out var key))
            {
                throw FilterParser.Invalid($"Invalid order_by key '{parts[0]}'; valid keys are {string.Join(", ", keysByAlias.Keys.Order())}.");
            }
            if (keys.Any(k => k.Key == key))
            {
                throw FilterParser.Invalid($"order_by names '{key}' more than once.");
            }
            keys.Add(new OrderKey(key, descending));
        }
        return keys;
    }
}
