namespace Registry.Api.Mlflow.Search;

public static class Keyset
{
    /// <summary>
    /// The condition for rows strictly after the given sort key values. One direction becomes a row comparison,
    /// which PostgreSQL serves from a matching index; mixed directions expand to the OR-of-prefixes form.
    /// </summary>
    public static string After(IReadOnlyList<(string Column, bool Descending, string Placeholder)> keys)
    {
        if (keys.All(k => k.Descending == keys[0].Descending))
        {
            return $"({string.Join(", ", keys.Select(k => k.Column))}) {(keys[0].Descending ? "<" : ">")} ({string.Join(", ", keys.Select(k => k.Placeholder))})";
        }

        var alternatives = keys.Select((key, i) =>
            string.Join(" AND ", keys.Take(i).Select(k => $"{k.Column} = {k.Placeholder}")
                .Append($"{key.Column} {(key.Descending ? "<" : ">")} {key.Placeholder}")));
        return $"({string.Join(" OR ", alternatives.Select(a => $"({a})"))})";
    }
}
