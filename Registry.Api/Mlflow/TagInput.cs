namespace Registry.Api.Mlflow;

/// <summary>A tag as a client sends it (MLflow's key/value tag messages), checked by each feature's validation.</summary>
public sealed record TagInput(string? Key, string? Value);
