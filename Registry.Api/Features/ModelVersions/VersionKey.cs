using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.ModelVersions;

/// <summary>The placeholders of a version's key (its model's project and name, its number) in one statement.</summary>
internal sealed record VersionKey(string Project, string Name, string Number)
{
    public static VersionKey Of(SqlParameters sql, long projectId, string name, int version) => new(sql.Add(projectId), sql.Add(name), sql.Add(version));

    /// <summary>The condition on a version <c>v</c> of a model <c>m</c>.</summary>
    public string Where => $"m.project_id = {Project} AND m.name = {Name} AND v.version = {Number}";

    /// <summary>How a person names the version in an audit event: <c>model/3</c>.</summary>
    public string Details => $"{Name} || '/' || {Number}";
}
