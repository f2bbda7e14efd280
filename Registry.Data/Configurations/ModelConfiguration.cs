using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ModelConfiguration : IEntityTypeConfiguration<Model>
{
    public void Configure(EntityTypeBuilder<Model> model)
    {
        model.ToTable("ml_models");
        // Byte order (as MLflow's file store sorts names): one index then serves `name LIKE 'prefix%'` as a range and
        // ORDER BY name, so a search page reads only its own rows however many names sort before the prefix.
        model.Property(m => m.Name).HasMaxLength(Limits.ModelName).UseCollation("C");
        model.Property(m => m.Description).HasMaxLength(Limits.Description);
        model.HasIndex(m => new { m.ProjectId, m.Name }).IsUnique().HasDatabaseName(Constraints.ModelName);
        model.Property(m => m.LastVersion).HasDefaultValue(0);
        // Search: ORDER BY + keyset paging.
        model.HasIndex(m => new { m.ProjectId, m.UpdatedAt, m.Name });
        model.HasIndex(m => new { m.ProjectId, m.CreatedAt, m.Name });
        model.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
        model.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.SetNull);
        // NO ACTION: deleting a model never deletes its experiment (it is soft-deleted, with the runs in it).
        model.HasOne<Experiment>().WithMany().HasForeignKey(m => m.DefaultExperimentId).OnDelete(DeleteBehavior.NoAction);
        model.HasMany(m => m.Metadata).WithOne().HasForeignKey(t => t.ModelId).OnDelete(DeleteBehavior.Cascade);
    }
}
