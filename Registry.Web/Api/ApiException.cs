using System.Net;

namespace Registry.Web.Api;

/// <summary>An error the API answered with: MLflow's <c>{error_code, message}</c>, shown to the user as it is.</summary>
public sealed class ApiException(HttpStatusCode status, string errorCode, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public string ErrorCode { get; } = errorCode;

    public bool IsNotFound => Status == HttpStatusCode.NotFound;
}
