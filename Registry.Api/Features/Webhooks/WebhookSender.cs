using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Registry.Api.Features.Webhooks;

/// <summary>What one POST to a receiver came to.</summary>
/// <param name="Status">The receiver's HTTP status; null when none came.</param>
/// <param name="Retryable">Worth trying again later: no answer in time, no connection, 408, 429 or 5xx.</param>
/// <param name="RetryAfter">How long the receiver asked us to wait (Retry-After on 429 and 503).</param>
internal sealed record SendResult(int? Status, string? ResponseBody, string? Error, bool Retryable, TimeSpan? RetryAfter, TimeSpan Duration)
{
    public bool Delivered => Status is >= 200 and < 300;
}

/// <summary>
/// POSTs webhook bodies as MLflow 3.11's delivery does (<c>mlflow/webhooks/delivery.py</c>): <c>Content-Type:
/// application/json</c>, <c>X-MLflow-Delivery-Id</c>, <c>X-MLflow-Timestamp</c> (Unix seconds at sending) and, with a secret,
/// <c>X-MLflow-Signature: v1,base64(HMAC-SHA256(secret, "delivery_id.timestamp.body"))</c>. Safely: connections go only to
/// vetted public addresses (<see cref="SafeTargets"/>), no proxy, no redirects followed, certificates validated, each
/// attempt bounded by <see cref="WebhookOptions.TimeoutSeconds"/>, and only the first 4 KiB of an answer read.
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    public const int ResponseBodyCap = 4096;

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _clock;

    public WebhookSender(SafeTargets targets, IOptions<WebhookOptions> options, TimeProvider clock)
    {
        _timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
        _clock = clock;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = targets.ConnectAsync,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = _timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            // Receivers are third parties: they get no trace context of ours.
            ActivityHeadersPropagator = System.Diagnostics.DistributedContextPropagator.CreateNoOutputPropagator(),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Registry-Webhooks", "1"));
    }

    public static string Signature(string secret, string deliveryId, string timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{deliveryId}.{timestamp}.{body}")));

    /// <exception cref="OperationCanceledException">Only when <paramref name="stopping"/> fires: the attempt did not finish.</exception>
    public async Task<SendResult> SendAsync(string url, string? secret, Guid deliveryId, string body, CancellationToken stopping)
    {
        var id = deliveryId.ToString();
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-MLflow-Delivery-Id", id);
        request.Headers.Add("X-MLflow-Timestamp", timestamp);
        if (secret is not null)
        {
            request.Headers.Add("X-MLflow-Signature", Signature(secret, id, timestamp, body));
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        attempt.CancelAfter(_timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var text = await ReadCappedAsync(response.Content, attempt.Token);
            var status = (int)response.StatusCode;
            var delivered = status is >= 200 and < 300;
            return new SendResult(
                status, text, delivered ? null : $"The receiver answered {status}.",
                Retryable: status is 408 or 429 or >= 500, RetryAfter(response, _clock), Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new SendResult(null, null, $"No answer within {_timeout.TotalSeconds:0} s.", Retryable: true, null, Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException e) when (Unsafe(e) is { } refused)
        {
            return new SendResult(null, null, refused.Message, Retryable: false, null, Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException e)
        {
            return new SendResult(null, null, Describe(e), Retryable: true, null, Stopwatch.GetElapsedTime(started));
        }
    }

    public void Dispose() => _http.Dispose();

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ResponseBodyCap];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        // PostgreSQL text cannot hold NUL.
        return Encoding.UTF8.GetString(buffer, 0, length).Replace('\0', '\uFFFD');
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider clock) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static UnsafeTargetException? Unsafe(Exception? e) => e switch
    {
        null => null,
        UnsafeTargetException refused => refused,
        _ => Unsafe(e.InnerException),
    };

    private static string Describe(HttpRequestException e) =>
        e.InnerException is { Message: { Length: > 0 } inner } && !e.Message.Contains(inner, StringComparison.Ordinal) ? $"{e.Message} ({inner})" : e.Message;
}
