using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace Registry.Tests.Scale;

/// <summary>
/// The balanced endpoint in front of the replicas: YARP, round robin, routing only to replicas whose readiness probe
/// (<c>/health</c>) passes, as Azure Container Apps and Kubernetes route. It probes every <see cref="ProbeInterval"/> and
/// takes a replica out after one failed probe; the replicas' drain delay is longer than that.
/// </summary>
public sealed class Balancer : IAsyncDisposable
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    private readonly WebApplication _app;

    private Balancer(WebApplication app, Uri url)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Http { get; }

    public static async Task<Balancer> StartAsync(IReadOnlyList<ApiReplica> replicas)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "api", ClusterId = "replicas", Match = new RouteMatch { Path = "{**rest}" } }],
            [new ClusterConfig
            {
                ClusterId = "replicas",
                LoadBalancingPolicy = "RoundRobin",
                HealthCheck = new HealthCheckConfig
                {
                    Active = new ActiveHealthCheckConfig
                    {
                        Enabled = true,
                        Interval = ProbeInterval,
                        Timeout = TimeSpan.FromSeconds(2),
                        Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                        Path = "/health",
                    },
                },
                Metadata = new Dictionary<string, string> { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" },
                Destinations = replicas.ToDictionary(r => r.Name, r => new DestinationConfig { Address = r.Url.ToString() }),
            }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return new Balancer(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
