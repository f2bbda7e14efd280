using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Registry.Tests.Webhooks;

/// <summary>One POST a receiver got, and whether its answer went out before the sender went away.</summary>
public sealed record ReceivedRequest(
    string Inbox, string DeliveryId, string Timestamp, string? Signature, string? ContentType, string Body, DateTimeOffset At, int Status, bool Answered)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}

/// <summary>What an inbox answers a request with; <see cref="Hold"/> keeps the request open until it completes.</summary>
public sealed record Answer(int Status = 200, string Body = "received", Task? Hold = null, string? RetryAfter = null, string? Location = null);

/// <summary>
/// A webhook receiver on loopback: every test has its own inbox (<c>/&lt;inbox&gt;</c>) with its own answers, and reads
/// back what arrived there.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<ReceivedRequest, int, Answer>> _answers = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedRequest>> _inboxes = new();
    private readonly ConcurrentDictionary<string, int> _arrivals = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseAddress => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost("/{inbox}/{**rest}", receiver.ReceiveAsync);
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>A fresh inbox; <paramref name="answer"/> gets each request and how many came before it (0 for the first).</summary>
    public string Inbox(Func<ReceivedRequest, int, Answer>? answer = null)
    {
        var inbox = Guid.NewGuid().ToString("N");
        _inboxes[inbox] = new ConcurrentQueue<ReceivedRequest>();
        _arrivals[inbox] = 0;
        _answers[inbox] = answer ?? ((_, _) => new Answer());
        return inbox;
    }

    public string Url(string inbox) => $"{BaseAddress}/{inbox}";

    /// <summary>The requests the inbox has answered (or failed to answer), in the order the answers went out.</summary>
    public IReadOnlyList<ReceivedRequest> Received(string inbox) => [.. _inboxes[inbox]];

    /// <summary>How many requests have reached the inbox, answered or still held.</summary>
    public int Arrived(string inbox) => _arrivals[inbox];

    /// <summary>Waits until the inbox holds what <paramref name="enough"/> asks for, and returns it.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitAsync(string inbox, Func<IReadOnlyList<ReceivedRequest>, bool> enough, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var received = Received(inbox);
            if (enough(received))
            {
                return received;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"The inbox holds {received.Count} requests after {timeout.TotalSeconds} s:\n" +
                                           string.Join('\n', received.Select(r => $"{r.Status} {r.Body}")));
            }
            await Task.Delay(50);
        }
    }

    public Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(string inbox, int count, TimeSpan timeout) =>
        WaitAsync(inbox, received => received.Count(r => r.Answered) >= count, timeout);

    private async Task ReceiveAsync(HttpContext http, string inbox)
    {
        if (!_inboxes.TryGetValue(inbox, out var received))
        {
            http.Response.StatusCode = 404;
            return;
        }
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        var request = new ReceivedRequest(
            inbox, http.Request.Headers["X-MLflow-Delivery-Id"].ToString(), http.Request.Headers["X-MLflow-Timestamp"].ToString(),
            http.Request.Headers.TryGetValue("X-MLflow-Signature", out var signature) ? signature.ToString() : null,
            http.Request.ContentType, body, DateTimeOffset.UtcNow, 0, false);
        var answer = _answers[inbox](request, _arrivals.AddOrUpdate(inbox, 1, (_, n) => n + 1) - 1);
        if (answer.Hold is { } hold)
        {
            await hold;
        }
        http.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is not null) http.Response.Headers.RetryAfter = answer.RetryAfter;
        if (answer.Location is not null) http.Response.Headers.Location = answer.Location;
        try
        {
            await http.Response.WriteAsync(answer.Body, http.RequestAborted);
            await http.Response.CompleteAsync();
            received.Enqueue(request with { Status = answer.Status, Answered = !http.RequestAborted.IsCancellationRequested });
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            received.Enqueue(request with { Status = answer.Status, Answered = false });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
