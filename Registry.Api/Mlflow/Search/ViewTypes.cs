namespace Registry.Api.Mlflow.Search;

/// <summary>MLflow's ViewType: ACTIVE_ONLY (the default), DELETED_ONLY, ALL; names or their proto numbers 1, 2, 3.</summary>
public static class ViewTypes
{
    public static string Condition(string? viewType, string deletedAtColumn) => (viewType ?? "").ToUpperInvariant() switch
    {
        "" or "ACTIVE_ONLY" or "1" => $"{deletedAtColumn} IS NULL",
        "DELETED_ONLY" or "2" => $"{deletedAtColumn} IS NOT NULL",
        "ALL" or "3" => "true",
        _ => throw FilterParser.Invalid($"Invalid view type '{viewType}'; use ACTIVE_ONLY, DELETED_ONLY or ALL."),
    };
}
