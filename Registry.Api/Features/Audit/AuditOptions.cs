using System.ComponentModel.DataAnnotations;

namespace Registry.Api.Features.Audit;

/// <summary><c>Registry:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Registry:Audit";

    /// <summary>How long audit events are kept; older ones are purged in the background.</summary>
    [Range(1, 36500)]
    public int RetentionDays { get; set; } = 365;
}
