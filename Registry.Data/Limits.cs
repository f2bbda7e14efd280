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

    /// <summary>Tags in one create or log request (log-batch's own limit is the same).</summary>
    public const int TagsPerRequest = 100;
}
