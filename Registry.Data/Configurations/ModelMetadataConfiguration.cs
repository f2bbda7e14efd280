using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ModelMetadataConfiguration : IEntityTypeConfiguration<ModelMetadata>
{
    public void Configure(EntityTypeBuilder<ModelMetadata> tag)
    {
        tag.ToTable("ml_model_metadata");
        tag.Property(t => t.Name).HasMaxLength(Limits.ModelName);
        tag.Property(t => t.Value).HasMaxLength(Limits.TagValue);
        tag.HasIndex(t => new { t.ModelId, t.Name }).IsUnique();
    }
}
