using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ModelVersionAliasConfiguration : IEntityTypeConfiguration<ModelVersionAlias>
{
    public void Configure(EntityTypeBuilder<ModelVersionAlias> alias)
    {
        alias.ToTable("ml_model_version_aliases");
        alias.Property(a => a.Alias).HasMaxLength(Limits.Alias);
        alias.HasIndex(a => new { a.ModelId, a.Alias }).IsUnique();
        alias.HasIndex(a => a.ModelVersionId);
        alias.HasOne<Model>().WithMany().HasForeignKey(a => a.ModelId).OnDelete(DeleteBehavior.Cascade);
        // Deleting a version takes the aliases that point at it.
        alias.HasOne<ModelVersion>().WithMany().HasForeignKey(a => a.ModelVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}
