using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.Web.Api;

/// <summary>
/// The Registry API as the signed-in user sees it: the same public HTTP API the MLflow client uses, with the session's
/// token (<see cref="SessionTokenHandler"/>). The UI never reads the database; every permission is the API's decision.
/// One method per API call, split by area into the partial files beside this one.
/// </summary>
public sealed partial class RegistryApi(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string Mlflow(long projectId) => $"api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow/";

    private static string Artifacts(long projectId) => $"api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts";

    /// <summary>The user a token belongs to, or null when the API refuses the token (unknown, expired, revoked).</summary>
    public async Task<User?> UserForTokenAsync(string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v4/user");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }
        return await ReadAsync<User>(response, cancellationToken);
    }

    /// <summary>
    /// Signs a user in: the API answers the token's user and records the sign-in (audited, with the browser's address
    /// that <paramref name="clientAddress"/> vouches for), or null when it refuses the token (unknown, expired, revoked).
    /// </summary>
    public async Task<User?> SignInAsync(string token, string? clientAddress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v4/user/sign_ins");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (clientAddress is not null)
        {
            request.Headers.Add(Session.ForwardedClientAddress.Header, clientAddress);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }
        return await ReadAsync<User>(response, cancellationToken);
    }

    private Task<T> GetAsync<T>(string uri, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken);

    private Task<T> SendJsonAsync<T>(HttpMethod method, string uri, object body, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(method, uri) { Content = JsonContent.Create(body, body.GetType(), options: Json) }, cancellationToken);

    private Task SendJsonAsync(HttpMethod method, string uri, object body, CancellationToken cancellationToken) =>
        SendJsonAsync<JsonElement?>(method, uri, body, cancellationToken);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return await ReadAsync<T>(response, cancellationToken);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
        {
            return default!;
        }
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    internal static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var error = await TryReadErrorAsync(response, cancellationToken);
        throw new ApiException(response.StatusCode, error?.ErrorCode ?? response.StatusCode.ToString(),
            error?.Message ?? $"The API answered {(int)response.StatusCode} {response.ReasonPhrase}.");
    }

    private static async Task<ErrorBody?> TryReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<ErrorBody>(Json, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Query(params (string Name, string? Value)[] parameters) =>
        string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));

    private sealed record ErrorBody(string? ErrorCode, string? Message);
}
