using Registry.Api;
using Registry.Api.Features.Admin;

if (AdminCli.IsInvocation(args))
{
    return await AdminCli.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddRegistryApi();

var app = builder.Build();
app.MapRegistryApi();

await app.RunAsync();
return 0;

/// <summary>Visible to the in-process tests.</summary>
public partial class Program;
