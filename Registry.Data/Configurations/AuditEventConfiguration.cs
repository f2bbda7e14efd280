using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> audit)
    {
        audit.ToTable("audit_events");
        audit.Property(a => a.CreatedAt).HasDefaultValueSql("now()");
        audit.Property(a => a.EntityType).HasMaxLength(32);
        audit.Property(a => a.EventName).HasMaxLength(64);
        audit.Property(a => a.TargetType).HasMaxLength(64);
        audit.Property(a => a.Changes).HasColumnType("jsonb");
        audit.Property(a => a.Via).HasMaxLength(16);
        // Pages are newest first (keyset on id) within an entity or an author; the purge and date filters use created_at.
        audit.HasIndex(a => new { a.EntityType, a.EntityId, a.Id });
        audit.HasIndex(a => new { a.AuthorId, a.Id });
        audit.HasIndex(a => a.CreatedAt);
    }
}
