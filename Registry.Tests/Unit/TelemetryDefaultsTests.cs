using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Registry.Tests.Unit;

public sealed class TelemetryDefaultsTests
{
    [Fact]
    public void Spans_and_metrics_are_recorded_only_when_an_OTLP_endpoint_receives_them()
    {
        using var silent = Build(otlpEndpoint: null);
        using var exporting = Build(otlpEndpoint: "http://127.0.0.1:4317");

        Assert.Null(silent.Services.GetService<TracerProvider>());
        Assert.Null(silent.Services.GetService<MeterProvider>());
        Assert.NotNull(exporting.Services.GetService<TracerProvider>());
        Assert.NotNull(exporting.Services.GetService<MeterProvider>());
    }

    private static IHost Build(string? otlpEndpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
        builder.ConfigureOpenTelemetry();
        return builder.Build();
    }
}
