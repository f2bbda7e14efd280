using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class ExperimentMetadataConfiguration : IEntityTypeConfiguration<ExperimentMetadata>
{
    public void Configure(EntityTypeBuilder<ExperimentMetadata> tag)
    {
        tag.ToTable("ml_experiment_metadata");
        tag.Property(t => t.Name).HasMaxLength(Limits.TagKey);
        tag.Property(t => t.Value).HasMaxLength(Limits.ExperimentTagValue);
        tag.HasIndex(t => new { t.ExperimentId, t.Name }).IsUnique();
        tag.HasOne<Experiment>().WithMany().HasForeignKey(t => t.ExperimentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CandidateConfiguration : IEntityTypeConfiguration<Candidate>
{
    public void Configure(EntityTypeBuilder<Candidate> run)
    {
        run.ToTable("ml_candidates");
        // varchar, not char(32): a text parameter compared with bpchar casts the column and loses the index.
        run.Property(r => r.RunId).HasMaxLength(32);
        run.Property(r => r.Name).HasMaxLength(Limits.RunName);
        run.Property(r => r.Status).HasMaxLength(16);
        run.Property(r => r.UserName).HasMaxLength(Limits.RunUser);
        run.HasIndex(r => r.RunId).IsUnique();
        // runs/search's default order within an experiment.
        run.HasIndex(r => new { r.ExperimentId, r.StartTime, r.RunId });
        run.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        run.HasOne<Experiment>().WithMany().HasForeignKey(r => r.ExperimentId).OnDelete(DeleteBehavior.Cascade);
        run.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class CandidateParamConfiguration : IEntityTypeConfiguration<CandidateParam>
{
    public void Configure(EntityTypeBuilder<CandidateParam> param)
    {
        param.ToTable("ml_candidate_params");
        param.Property(p => p.Name).HasMaxLength(Limits.TagKey);
        param.Property(p => p.Value).HasMaxLength(Limits.ParamValue);
        param.HasIndex(p => new { p.CandidateId, p.Name }).IsUnique();
        param.HasOne<Candidate>().WithMany().HasForeignKey(p => p.CandidateId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CandidateMetadataConfiguration : IEntityTypeConfiguration<CandidateMetadata>
{
    public void Configure(EntityTypeBuilder<CandidateMetadata> tag)
    {
        tag.ToTable("ml_candidate_metadata");
        tag.Property(t => t.Name).HasMaxLength(Limits.TagKey);
        // Unbounded: the API limits what clients set (8000), but mlflow.log-model.history grows with every logged model.
        tag.HasIndex(t => new { t.CandidateId, t.Name }).IsUnique();
        tag.HasOne<Candidate>().WithMany().HasForeignKey(t => t.CandidateId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CandidateMetricConfiguration : IEntityTypeConfiguration<CandidateMetric>
{
    public void Configure(EntityTypeBuilder<CandidateMetric> metric)
    {
        metric.ToTable("ml_candidate_metrics");
        metric.Property(m => m.Name).HasMaxLength(Limits.TagKey);
        // A point is stored once (log writes use ON CONFLICT DO NOTHING), and history pages read one metric of one run
        // in (step, timestamp, value) order from the same index: the one index each point costs.
        metric.HasKey(m => new { m.CandidateId, m.Name, m.Step, m.Timestamp, m.Value });
        // No foreign key to the run: PostgreSQL checks one row by row, a third of a 1000-point log-batch. Statement
        // triggers (migration FasterMetricIngestion) check and lock each run once per statement, and delete a deleted
        // run's points.
    }
}

internal sealed class CandidateLatestMetricConfiguration : IEntityTypeConfiguration<CandidateLatestMetric>
{
    public void Configure(EntityTypeBuilder<CandidateLatestMetric> latest)
    {
        latest.ToTable("ml_candidate_latest_metrics");
        latest.HasKey(m => new { m.CandidateId, m.Name });
        latest.Property(m => m.Name).HasMaxLength(Limits.TagKey);
        // runs/search: metrics.loss < 0.1 across an experiment's runs, and the walk in a metric's order (RunSearch), which
        // reads the run's id from the index alone.
        latest.HasIndex(m => new { m.Name, m.Value }).IncludeProperties(m => m.CandidateId);
        latest.HasOne<Candidate>().WithMany().HasForeignKey(m => m.CandidateId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CandidateInputConfiguration : IEntityTypeConfiguration<CandidateInput>
{
    public void Configure(EntityTypeBuilder<CandidateInput> input)
    {
        input.ToTable("ml_candidate_inputs");
        input.Property(i => i.Dataset).HasColumnType("jsonb");
        input.Property(i => i.Tags).HasColumnType("jsonb");
        input.HasIndex(i => new { i.CandidateId, i.Name, i.Digest }).IsUnique();
        input.HasOne<Candidate>().WithMany().HasForeignKey(i => i.CandidateId).OnDelete(DeleteBehavior.Cascade);
    }
}
