using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ExperimentConfiguration : IEntityTypeConfiguration<Experiment>
{
    public void Configure(EntityTypeBuilder<Experiment> experiment)
    {
        experiment.ToTable("ml_experiments");
        experiment.Property(e => e.Name).HasMaxLength(Limits.ExperimentName);
        experiment.HasIndex(e => new { e.ProjectId, e.Name }).IsUnique().HasDatabaseName(Constraints.ExperimentName);
        experiment.HasIndex(e => new { e.ProjectId, e.Iid }).IsUnique();
        experiment.HasOne<Project>().WithMany().HasForeignKey(e => e.ProjectId).OnDelete(DeleteBehavior.Cascade);
        experiment.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.SetNull);
    }
}
