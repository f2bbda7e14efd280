using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class PendingArtifactDeletionConfiguration : IEntityTypeConfiguration<PendingArtifactDeletion>
{
    public void Configure(EntityTypeBuilder<PendingArtifactDeletion> deletion)
    {
        deletion.ToTable("pending_artifact_deletions");
        deletion.Property(d => d.RequestedAt).HasDefaultValueSql("now()");
        deletion.Property(d => d.Attempts).HasDefaultValue(0);
    }
}
