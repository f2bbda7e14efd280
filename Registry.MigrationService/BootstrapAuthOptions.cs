namespace Registry.MigrationService;

/// <summary>The part of <c>Registry:Auth</c> the migration service reads.</summary>
public sealed class BootstrapAuthOptions
{
    public int DefaultTokenLifetimeDays { get; set; } = 30;
}
