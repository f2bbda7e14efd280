using Microsoft.AspNetCore.DataProtection;
using Microsoft.FluentUI.AspNetCore.Components;
using Registry.Data;
using Registry.Web.Api;
using Registry.Web.Components;
using Registry.Web.Endpoints;
using Registry.Web.Security;
using Registry.Web.Session;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

// The database holds only the Data Protection key ring here: several replicas share it, and a restart signs nobody out.
// Everything the user sees comes from the API.
builder.AddNpgsqlDataSource("registrydb", settings => settings.DisableTracing = settings.DisableMetrics = !builder.ExportsTelemetry());
builder.Services.AddDbContext<RegistryDbContext>((services, options) =>
    options.UseRegistryDatabase(services.GetRequiredService<Npgsql.NpgsqlDataSource>()));
builder.Services.AddDataProtection()
    .SetApplicationName("Registry.Web")
    .PersistKeysToDbContext<RegistryDbContext>();

builder.Services.AddHttpContextAccessor();
builder.Services.AddTransient<SessionTokenHandler>();
builder.Services.AddSingleton<ForwardedClientAddress>();
builder.Services.AddHttpClient<RegistryApi>(client =>
    {
        client.BaseAddress = new Uri(builder.Configuration["Registry:ApiUrl"] ?? "https+http://api");
        client.Timeout = TimeSpan.FromSeconds(60);
    })
    .AddHttpMessageHandler<SessionTokenHandler>();

builder.Services.AddSingleton<Registry.Web.Rendering.TrackingUri>();
builder.Services.AddSessionAuthentication();
builder.Services.AddRazorComponents();
builder.Services.AddFluentUIComponents();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}
app.UseSecurityHeaders();
app.UseStatusCodePagesWithReExecute("/not-found");
app.MapStaticAssets();
app.UseAuthentication();
app.UseAuthorization();
app.UseProjectAccess();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapMetricPoints();
app.MapArtifactDownloads();
app.MapRazorComponents<App>();

await app.RunAsync();

/// <summary>Visible to the tests.</summary>
public partial class Program;
