namespace Registry.Data;

/// <summary>Column sizes; request validation uses the same numbers so the database never truncates or rejects.</summary>
public static class Limits
{
    public const int ModelName = 255;
    public const int ExperimentName = 500;
    public const int Description = 5000;
    public const int TagKey = 250;
    public const int TagValue = 5000;
    public const int ProjectName = 255;
    public const int Username = 255;
    public const int Source = 500;
    public const int RunId = 256;
    public const int RunLink = 500;
    public const int Alias = 255;
    public const int ParamValue = 6000;
    public const int RunTagValue = 8000;
    public const int ExperimentTagValue = 5000;
    public const int RunName = 250;

    /// <summary>A run's user_id as the client sends it (MLflow's column size).</summary>
    public const int RunUser = 256;

    /// <summary>A logged model's id: "m-" and 32 hex characters.</summary>
    public const int ModelId = 40;

    /// <summary>The dataset a logged model's metric was computed on (MLflow's column sizes).</summary>
    public const int DatasetName = 500;
    public const int DatasetDigest = 36;

    /// <summary>Webhooks, as MLflow's schema has them (name: its validation rule).</summary>
    public const int WebhookName = 63;
    public const int WebhookDescription = 1000;
    public const int WebhookUrl = 500;
    public const int WebhookSecret = 1000;

    /// <summary>Tags in one create or log request (log-batch's own limit is the same).</summary>
    public const int TagsPerRequest = 100;
}
