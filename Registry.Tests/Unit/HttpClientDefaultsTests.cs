using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Registry.Tests.Unit;

/// <summary>The service defaults' HTTP resilience (the web's client of the API) must never send a write twice.</summary>
public sealed class HttpClientDefaultsTests
{
    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task A_failed_write_is_sent_once(string method)
    {
        var (client, receiver) = ClientWithDefaults();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "http://api/write"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, receiver.Requests);
    }

    [Fact]
    public async Task A_failed_read_is_retried()
    {
        var (client, receiver) = ClientWithDefaults();

        using var response = await client.GetAsync("http://api/read");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(receiver.Requests > 1, $"a GET answered 503 was sent {receiver.Requests} time(s)");
    }

    private static (HttpClient Client, UnavailableReceiver Receiver) ClientWithDefaults()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddServiceDefaults();
        var receiver = new UnavailableReceiver();
        builder.Services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => receiver);
        builder.Services.Configure<Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions>("api-standard", options =>
            options.Retry.Delay = TimeSpan.Zero);
        var services = builder.Build().Services;
        return (services.GetRequiredService<IHttpClientFactory>().CreateClient("api"), receiver);
    }

    private sealed class UnavailableReceiver : HttpMessageHandler
    {
        private int _requests;

        public int Requests => _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request });
        }
    }
}
