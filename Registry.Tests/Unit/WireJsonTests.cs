using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Registry.Api;
using Registry.Api.Mlflow;

namespace Registry.Tests.Unit;

/// <summary>
/// Each feature has its own source-generated JSON context and the composition chains them: a body type no context has
/// would fail only on its own endpoint, at run time. So every endpoint's declared bodies are resolved here, through the
/// wire's contexts alone (no reflection fallback).
/// </summary>
public sealed class WireJsonTests
{
    [Fact]
    public async Task Every_body_an_endpoint_reads_or_answers_with_has_source_generated_json()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration["ConnectionStrings:registrydb"] = "Host=localhost;Port=1;Database=unused;Username=unused";
        builder.AddRegistryApi();
        await using var app = builder.Build();
        app.MapRegistryApi();

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true).ToList();
        var bodies = endpoints.SelectMany(e => e.Metadata.OfType<JsonBodyMetadata>().Select(m => m.Type)
                .Concat(e.Metadata.OfType<IProducesResponseTypeMetadata>()
                    .Where(m => m.Type is { } type && type != typeof(void) && m.ContentTypes.Contains("application/json")).Select(m => m.Type!))
                .Select(type => (Route: e.RoutePattern.RawText, Type: type)))
            .ToList();
        var wire = app.Services.GetRequiredService<MlflowWire>().Options;

        Assert.True(endpoints.Count > 80, $"Only {endpoints.Count} endpoints were found.");
        Assert.Contains(bodies, b => b.Type.Name == "CreateRunRequest");
        Assert.Empty(bodies.Where(b => !wire.TryGetTypeInfo(b.Type, out _)).Select(b => $"{b.Route}: {b.Type}").Distinct());
    }
}
