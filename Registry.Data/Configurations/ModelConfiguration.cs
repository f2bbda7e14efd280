using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ModelConfiguration : IEntityTypeConfiguration<Model>
{
    public void Configure(EntityTypeBuilder<Model> model)
    {
        model.ToTable("ml_models");
        model.Property(m => m.Name).HasMaxLength(Limits.ModelName);
        model.Property(m => m.Description).HasMaxLength(Limits.Description);
        model.HasIndex(m => new { m.ProjectId, m.Name }).IsUnique();
        model.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
        model.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.SetNull);
        model.HasOne<Experiment>().WithMany().HasForeignKey(m => m.DefaultExperimentId).OnDelete(DeleteBehavior.Restrict);
        model.HasMany(m => m.Metadata).WithOne().HasForeignKey(t => t.ModelId).OnDelete(DeleteBehavior.Cascade);
    }
}
