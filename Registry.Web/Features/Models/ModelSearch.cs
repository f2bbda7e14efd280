namespace Registry.Web.Features.Models;

/// <summary>
/// The models search box takes MLflow's filter grammar (<c>name LIKE 'fraud%' AND tags.team = 'risk'</c>) or plain text,
/// which means "name contains". The API parses and validates the filter; its error is shown beside the box.
/// </summary>
public static class ModelSearch
{
    public const int PageSize = 50;

    private static readonly string[] GrammarMarks = ["=", " like ", " ilike ", "tags.", "`"];

    public static string? Filter(string? query)
    {
        var text = query?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        var padded = $" {text.ToLowerInvariant()} ";
        if (GrammarMarks.Any(padded.Contains))
        {
            return text;
        }
        return text.Contains('\'') ? $"name ILIKE \"%{text}%\"" : $"name ILIKE '%{text}%'";
    }

    public static readonly IReadOnlyDictionary<string, string> SortKeys = new Dictionary<string, string>
    {
        ["name"] = "name",
        ["updated"] = "last_updated_timestamp",
        ["created"] = "creation_timestamp",
    };

    public static string OrderBy(string? sort, string? direction) =>
        $"{SortKeys.GetValueOrDefault(sort ?? "", "name")} {(direction == "desc" ? "DESC" : "ASC")}";
}
