using System.Net.Http.Headers;
using System.Text;

namespace Registry.Tests.Infrastructure;

/// <summary>Calls the MLflow REST API the way the stock client does: JSON bodies, query strings for GET, bearer tokens.</summary>
public static class MlflowHttp
{
    public static string Path(long projectId, string rpc) => $"/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow/{rpc}";

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, long projectId, string rpc, object body, TestToken? token) =>
        http.SendRawAsync(HttpMethod.Post, Path(projectId, rpc), JsonContent.Create(body), token);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient http, long projectId, string rpc, string body, TestToken? token, string contentType = "application/json") =>
        http.SendRawAsync(HttpMethod.Post, Path(projectId, rpc), new StringContent(body, Encoding.UTF8, contentType), token);

    public static Task<HttpResponseMessage> GetAsync(this HttpClient http, long projectId, string rpcWithQuery, TestToken? token) =>
        http.SendRawAsync(HttpMethod.Get, Path(projectId, rpcWithQuery), content: null, token);

    public static async Task<HttpResponseMessage> SendRawAsync(this HttpClient http, HttpMethod method, string path, HttpContent? content, TestToken? token, string? authorization = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        }
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return await http.SendAsync(request);
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>Asserts the status and MLflow's error body, and returns the message.</summary>
    public static async Task<string> ShouldBeMlflowErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync();
        Assert.Equal(errorCode, (string?)body["error_code"]);
        Assert.Equal(status, response.StatusCode);
        var message = (string?)body["message"];
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }

    public static async Task<JsonObject> ShouldBeOkAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>
    /// A JSON body sent chunked with a chunk size the test chooses (HttpClient would only send valid ones), over a raw
    /// connection; returns the answer's status line.
    /// </summary>
    public static async Task<string> SendChunkedAsync(this HttpClient http, HttpMethod method, string path, string chunkSize, string json, TestToken token)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var address = http.BaseAddress!;
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(address.Host, address.Port, timeout.Token);
        await using var stream = client.GetStream();
        var request =
            $"{method} {path} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {token.Value}\r\n" +
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
            $"{chunkSize}\r\n{json}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(timeout.Token) ?? "(no answer)";
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
