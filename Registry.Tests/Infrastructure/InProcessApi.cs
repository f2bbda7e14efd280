extern alias RegistryApi;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Registry.Tests.Infrastructure;

/// <summary>The API hosted inside the test process, for what only the process itself can show (its spans, its configuration).</summary>
public class InProcessApi(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<RegistryApi::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // Nothing routes to a test host by readiness: waiting for a balancer to notice would only slow every dispose.
        builder.UseSetting("Registry:Shutdown:DrainDelaySeconds", "0");
        // Its webhook dispatcher may claim a delivery the AppHost's API would have sent (they share the database), so it
        // too must reach the tests' loopback receivers; a test of the refusal sets this to false.
        builder.UseSetting("Registry:Webhooks:AllowPrivateTargets", "true");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
