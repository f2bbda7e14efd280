namespace Registry.Api.Mlflow.Search;

/// <summary>Where an identifier points: an attribute (<c>name</c>), a tag (<c>tags.k</c>), and later metrics and params.</summary>
public enum IdentifierKind
{
    Attribute,
    Tag,
    Metric,
    Param,
}

public sealed record Identifier(IdentifierKind Kind, string Key)
{
    public override string ToString() => Kind == IdentifierKind.Attribute ? Key : $"{Kind.ToString().ToLowerInvariant()}s.{Key}";
}

/// <summary>One comparison of an AND-joined MLflow filter. <see cref="Value"/> is a string, a double, or a list of strings (IN).</summary>
public sealed record FilterClause(Identifier Identifier, string Operator, object Value);
