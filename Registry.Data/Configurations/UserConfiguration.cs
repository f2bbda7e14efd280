using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("users");
        user.Property(u => u.Username).HasMaxLength(Limits.Username);
        user.HasIndex(u => u.Username).IsUnique();
        user.Property(u => u.CreatedAt).HasDefaultValueSql("now()");
        user.Property(u => u.IsAdmin).HasDefaultValue(false);
    }
}
