namespace Registry.Api.Mlflow.Search;

/// <summary>
/// MLflow 3 keeps prompts as registered models (and versions) tagged <c>mlflow.prompt.is_prompt = 'true'</c>. Its model and
/// version searches leave prompts out unless the filter asks for them (<c>tags.`mlflow.prompt.is_prompt` = 'true'</c> or
/// <c>!= 'false'</c>), and the 3.x client appends <c>tag.`mlflow.prompt.is_prompt` != 'true'</c> to every model search,
/// which must then match models that have no such tag. This is MLflow's server-side rule (sqlalchemy_store.py).
/// </summary>
internal static class Prompts
{
    /// <returns>The clauses to apply, and whether prompts are to be left out (then the prompt-tag clauses are dropped).</returns>
    public static (IReadOnlyList<FilterClause> Clauses, bool ExcludePrompts) Split(IReadOnlyList<FilterClause> clauses)
    {
        var first = clauses.FirstOrDefault(IsPromptTag);
        var asksForPrompts = first is { Value: string value }
            && ((first.Operator == "=" && value.Equals("true", StringComparison.OrdinalIgnoreCase))
                || (first.Operator == "!=" && value.Equals("false", StringComparison.OrdinalIgnoreCase)));
        return asksForPrompts ? (clauses, false) : ([.. clauses.Where(c => !IsPromptTag(c))], true);
    }

    private static bool IsPromptTag(FilterClause clause) => clause.Identifier is { Kind: IdentifierKind.Tag, Key: ReservedKeys.IsPrompt };
}
