namespace Registry.Api.Mlflow;

/// <summary>MLflow's {key, value} pairs: experiment tags, run tags, params.</summary>
public sealed record KeyValue(string Key, string Value);
