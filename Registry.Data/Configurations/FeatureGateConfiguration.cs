using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class FeatureGateConfiguration : IEntityTypeConfiguration<FeatureGate>
{
    public void Configure(EntityTypeBuilder<FeatureGate> gate)
    {
        gate.ToTable("feature_gates");
        gate.Property(g => g.FeatureName).HasMaxLength(255);
        gate.Property(g => g.UpdatedAt).HasDefaultValueSql("now()");
        // One gate for every project and one per project; two partial indexes rather than NULLS NOT DISTINCT (PostgreSQL 15+).
        gate.HasIndex(g => g.FeatureName).IsUnique().HasFilter("project_id IS NULL").HasDatabaseName("ix_feature_gates_global");
        gate.HasIndex(g => new { g.FeatureName, g.ProjectId }).IsUnique().HasFilter("project_id IS NOT NULL").HasDatabaseName("ix_feature_gates_project");
        gate.HasOne<Project>().WithMany().HasForeignKey(g => g.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
