namespace Registry.Api.Mlflow.Tracking;

/// <summary>MLflow's Metric; the last four are MLflow 3's link to a logged model and the dataset it was computed on.</summary>
public sealed record Metric(
    string Key, double Value, long Timestamp, long Step,
    string? DatasetName = null, string? DatasetDigest = null, string? ModelId = null, string? RunId = null);
