using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ModelVersionMetadataConfiguration : IEntityTypeConfiguration<ModelVersionMetadata>
{
    public void Configure(EntityTypeBuilder<ModelVersionMetadata> tag)
    {
        tag.ToTable("ml_model_version_metadata");
        tag.Property(t => t.Name).HasMaxLength(Limits.ModelName);
        tag.Property(t => t.Value).HasMaxLength(Limits.TagValue);
        tag.HasIndex(t => new { t.ModelVersionId, t.Name }).IsUnique();
        tag.HasOne<ModelVersion>().WithMany().HasForeignKey(t => t.ModelVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}
