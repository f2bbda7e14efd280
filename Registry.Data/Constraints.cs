namespace Registry.Data;

/// <summary>
/// Names of the unique indexes whose violation the API turns into an MLflow error. The entity configurations give the
/// indexes these names and the API matches them, so a rename cannot silently turn "already exists" into a 500.
/// </summary>
public static class Constraints
{
    public const string ModelName = "ix_ml_models_project_id_name";
    public const string ExperimentName = "ix_ml_experiments_project_id_name";
}
