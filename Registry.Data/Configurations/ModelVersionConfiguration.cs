using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ModelVersionConfiguration : IEntityTypeConfiguration<ModelVersion>
{
    public void Configure(EntityTypeBuilder<ModelVersion> version)
    {
        version.ToTable("ml_model_versions");
        version.Property(v => v.Description).HasMaxLength(Limits.Description);
        version.Property(v => v.Source).HasMaxLength(Limits.Source);
        version.Property(v => v.RunId).HasMaxLength(Limits.RunId);
        version.Property(v => v.RunLink).HasMaxLength(Limits.RunLink);
        version.Property(v => v.LoggedModelId).HasMaxLength(40);
        version.HasIndex(v => v.LoggedModelId);
        version.Property(v => v.Status).HasMaxLength(32);
        version.Property(v => v.StatusMessage).HasMaxLength(Limits.Description);
        version.Property(v => v.CurrentStage).HasMaxLength(20);
        version.HasIndex(v => new { v.ModelId, v.Version }).IsUnique();
        // Latest version per stage: one index probe per stage, however many versions a model has.
        version.HasIndex(v => new { v.ModelId, v.CurrentStage, v.Version });
        version.HasIndex(v => new { v.ProjectId, v.RunId });
        version.HasOne<Project>().WithMany().HasForeignKey(v => v.ProjectId).OnDelete(DeleteBehavior.Cascade);
        version.HasOne<Model>().WithMany().HasForeignKey(v => v.ModelId).OnDelete(DeleteBehavior.Cascade);
        version.HasOne<User>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.SetNull);
    }
}
