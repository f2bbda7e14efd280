namespace Registry.Api.Mlflow;

/// <summary>MLflow's messages (model_registry's sqlalchemy store) for what the registry features do not find.</summary>
internal static class ModelRegistryErrors
{
    public static MlflowError ModelNotFound(string name) => MlflowError.ResourceDoesNotExist($"Registered Model with name={name} not found");

    public static MlflowError VersionNotFound(string name, int version) =>
        MlflowError.ResourceDoesNotExist($"Model Version (name={name}, version={version}) not found");
}
