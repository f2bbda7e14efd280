namespace Registry.Api.Mlflow;

/// <summary>
/// MLflow's own wording for the errors its server words the same way every time (mlflow/server/handlers.py,
/// mlflow/utils/validation.py, checked against MLflow 2.17.2 and 3.11.1 servers): tools and MLflow's tests match on
/// these texts, so they live here, once. Our own messages stay where MLflow has none.
/// </summary>
internal static class MlflowMessages
{
    private const string SeeTheApiDocs = " See the API docs for more information about request parameters.";

    /// <summary>A required field absent, null or empty; <paramref name="parameter"/> may be a path (<c>metrics[0].timestamp</c>).</summary>
    public static string Missing(string parameter) => $"Missing value for required parameter '{parameter}'.{SeeTheApiDocs}";

    /// <summary>
    /// A field of the wrong JSON type. <paramref name="json"/> is the value as Python's compact <c>json.dumps</c> writes it,
    /// <paramref name="pythonType"/> its Python type (int, float, str, bool, list, dict). The double space is MLflow's.
    /// </summary>
    public static string InvalidType(string parameter, string json, string pythonType) =>
        $"Invalid value {json} for parameter '{parameter}' supplied:  Hint: Value was of type '{pythonType}'.{SeeTheApiDocs}";

    /// <summary>MLflow 2.x's text (3.x says "Parameter 'version' must be an integer, got ..."; both end the same way).</summary>
    public static string VersionNotInteger(string version) => $"Model version must be an integer, got '{version}'";

    /// <summary>The tracking searches' bounds (runs, experiments), as MLflow's tracking store words them.</summary>
    public static string MaxResultsNotPositive(long value) =>
        $"Invalid value {value} for parameter 'max_results' supplied. It must be a positive integer";

    public static string MaxResultsTooLarge(long value, int limit) =>
        $"Invalid value {value} for parameter 'max_results' supplied. It must be at most {limit}";

    /// <param name="parameter">run_id, or model_id when the version is registered from a logged model (MLflow 3).</param>
    public static string LocalSource(string source, string parameter = "run_id") =>
        $"Invalid model version source: '{source}'. To use a local path as a model version source, the {parameter} request " +
        "parameter has to be specified and the local path has to be contained within the artifact directory of the run " +
        $"specified by the {parameter}.";

    public static string RelativeSource(string source) =>
        $"Invalid model version source: '{source}'. If supplying a source as an http, https, local file path, ftp, " +
        "objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references " +
        "present. Please provide an absolute path.";
}
