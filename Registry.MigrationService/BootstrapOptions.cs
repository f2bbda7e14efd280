namespace Registry.MigrationService;

public sealed class BootstrapOptions
{
    public const string Section = "Registry";

    /// <summary>When set (<c>Registry__BootstrapToken</c>), project 1 "default", its owner and this token (scope api) are ensured.</summary>
    public string? BootstrapToken { get; set; }

    /// <summary><c>Registry:Auth</c>, the API's own setting: the bootstrap token lives as long as any token created without an expiry.</summary>
    public BootstrapAuthOptions Auth { get; set; } = new();
}
