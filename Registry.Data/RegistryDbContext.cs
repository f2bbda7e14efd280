using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Registry.Data.Entities;

namespace Registry.Data;

public sealed class RegistryDbContext(DbContextOptions<RegistryDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<PersonalAccessToken> PersonalAccessTokens => Set<PersonalAccessToken>();
    public DbSet<PendingArtifactDeletion> PendingArtifactDeletions => Set<PendingArtifactDeletion>();
    public DbSet<FeatureGate> FeatureGates => Set<FeatureGate>();
    public DbSet<Experiment> Experiments => Set<Experiment>();
    public DbSet<Model> Models => Set<Model>();
    public DbSet<ModelMetadata> ModelMetadata => Set<ModelMetadata>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<ModelVersionMetadata> ModelVersionMetadata => Set<ModelVersionMetadata>();
    public DbSet<ModelVersionAlias> ModelVersionAliases => Set<ModelVersionAlias>();
    public DbSet<ExperimentMetadata> ExperimentMetadata => Set<ExperimentMetadata>();
    public DbSet<Candidate> Candidates => Set<Candidate>();
    public DbSet<CandidateParam> CandidateParams => Set<CandidateParam>();
    public DbSet<CandidateMetadata> CandidateMetadata => Set<CandidateMetadata>();
    public DbSet<CandidateMetric> CandidateMetrics => Set<CandidateMetric>();
    public DbSet<CandidateLatestMetric> CandidateLatestMetrics => Set<CandidateLatestMetric>();
    public DbSet<CandidateInput> CandidateInputs => Set<CandidateInput>();
    public DbSet<LoggedModel> LoggedModels => Set<LoggedModel>();
    public DbSet<LoggedModelParam> LoggedModelParams => Set<LoggedModelParam>();
    public DbSet<LoggedModelTag> LoggedModelTags => Set<LoggedModelTag>();
    public DbSet<CandidateOutput> CandidateOutputs => Set<CandidateOutput>();
    public DbSet<CandidateModelInput> CandidateModelInputs => Set<CandidateModelInput>();
    public DbSet<LoggedModelMetric> LoggedModelMetrics => Set<LoggedModelMetric>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookDeliveryAttempt> WebhookDeliveryAttempts => Set<WebhookDeliveryAttempt>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<ApiDataProtectionKey> ApiDataProtectionKeys => Set<ApiDataProtectionKey>();

    /// <summary>The web UI's ASP.NET Core Data Protection key ring: every replica reads the same keys, so a restart or another replica keeps sessions.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RegistryDbContext).Assembly);
}
