namespace Registry.Api.Mlflow;

/// <summary>MLflow answers writes without a payload with <c>{}</c>.</summary>
public sealed record EmptyResponse
{
    public static readonly EmptyResponse Instance = new();
}
