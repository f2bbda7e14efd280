namespace Registry.MigrationService;

public sealed class BootstrapOptions
{
    /// <summary>When set (<c>Registry__BootstrapToken</c>), project 1 "default", its owner and this token (scope api) are ensured.</summary>
    public string? BootstrapToken { get; set; }
}
