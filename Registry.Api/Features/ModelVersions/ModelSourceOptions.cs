namespace Registry.Api.Features.ModelVersions;

/// <summary><c>Registry:ModelSources</c>: hosts an operator trusts with the tokens of whoever loads a model.</summary>
public sealed class ModelSourceOptions
{
    public const string Section = "Registry:ModelSources";

    /// <summary>
    /// Hosts (<c>models.example.com</c>, or <c>host:port</c> for one port) that <c>http(s)://</c> and
    /// <c>mlflow-artifacts://</c> sources may name. Empty by default: no source may send credentials elsewhere.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
}
