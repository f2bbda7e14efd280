using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> project)
    {
        project.ToTable("projects");
        project.Property(p => p.Name).HasMaxLength(Limits.ProjectName);
        project.Property(p => p.CreatedAt).HasDefaultValueSql("now()");
        project.Property(p => p.LastExperimentIid).HasDefaultValue(0);
    }
}
