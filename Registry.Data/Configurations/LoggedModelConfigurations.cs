using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class LoggedModelConfiguration : IEntityTypeConfiguration<LoggedModel>
{
    public void Configure(EntityTypeBuilder<LoggedModel> model)
    {
        model.ToTable("ml_logged_models");
        model.Property(m => m.ModelId).HasMaxLength(Limits.ModelId);
        model.Property(m => m.Name).HasMaxLength(Limits.ModelName);
        model.Property(m => m.ModelType).HasMaxLength(Limits.ModelName);
        model.Property(m => m.SourceRunId).HasMaxLength(32);
        model.Property(m => m.Status).HasMaxLength(32);
        model.HasIndex(m => m.ModelId).IsUnique();
        model.HasIndex(m => new { m.ExperimentId, m.CreatedAt });
        model.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
        model.HasOne<Experiment>().WithMany().HasForeignKey(m => m.ExperimentId).OnDelete(DeleteBehavior.Cascade);
        model.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class LoggedModelParamConfiguration : IEntityTypeConfiguration<LoggedModelParam>
{
    public void Configure(EntityTypeBuilder<LoggedModelParam> param)
    {
        param.ToTable("ml_logged_model_params");
        param.Property(p => p.Name).HasMaxLength(Limits.TagKey);
        param.Property(p => p.Value).HasMaxLength(Limits.ParamValue);
        param.HasIndex(p => new { p.LoggedModelId, p.Name }).IsUnique();
        param.HasOne<LoggedModel>().WithMany().HasForeignKey(p => p.LoggedModelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LoggedModelTagConfiguration : IEntityTypeConfiguration<LoggedModelTag>
{
    public void Configure(EntityTypeBuilder<LoggedModelTag> tag)
    {
        tag.ToTable("ml_logged_model_tags");
        tag.Property(t => t.Name).HasMaxLength(Limits.TagKey);
        tag.Property(t => t.Value).HasMaxLength(Limits.RunTagValue);
        tag.HasIndex(t => new { t.LoggedModelId, t.Name }).IsUnique();
        tag.HasOne<LoggedModel>().WithMany().HasForeignKey(t => t.LoggedModelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CandidateOutputConfiguration : IEntityTypeConfiguration<CandidateOutput>
{
    public void Configure(EntityTypeBuilder<CandidateOutput> output)
    {
        output.ToTable("ml_candidate_outputs");
        output.HasKey(o => new { o.CandidateId, o.LoggedModelId });
        output.HasOne<Candidate>().WithMany().HasForeignKey(o => o.CandidateId).OnDelete(DeleteBehavior.Cascade);
        output.HasOne<LoggedModel>().WithMany().HasForeignKey(o => o.LoggedModelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LoggedModelMetricConfiguration : IEntityTypeConfiguration<LoggedModelMetric>
{
    public void Configure(EntityTypeBuilder<LoggedModelMetric> metric)
    {
        metric.ToTable("ml_logged_model_metrics");
        metric.Property(m => m.Name).HasMaxLength(Limits.TagKey);
        metric.Property(m => m.DatasetName).HasMaxLength(Limits.DatasetName);
        metric.Property(m => m.DatasetDigest).HasMaxLength(Limits.DatasetDigest);
        // A point is stored once; logged-models/search filters and orders by (model, key) through the same index.
        metric.HasIndex(m => new { m.LoggedModelId, m.Name, m.Step, m.Timestamp, m.Value, m.CandidateId }).IsUnique();
        metric.HasOne<LoggedModel>().WithMany().HasForeignKey(m => m.LoggedModelId).OnDelete(DeleteBehavior.Cascade);
        metric.HasOne<Candidate>().WithMany().HasForeignKey(m => m.CandidateId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CandidateModelInputConfiguration : IEntityTypeConfiguration<CandidateModelInput>
{
    public void Configure(EntityTypeBuilder<CandidateModelInput> input)
    {
        input.ToTable("ml_candidate_model_inputs");
        input.HasKey(i => new { i.CandidateId, i.LoggedModelId });
        input.HasOne<Candidate>().WithMany().HasForeignKey(i => i.CandidateId).OnDelete(DeleteBehavior.Cascade);
        input.HasOne<LoggedModel>().WithMany().HasForeignKey(i => i.LoggedModelId).OnDelete(DeleteBehavior.Cascade);
    }
}
