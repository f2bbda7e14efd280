using Microsoft.EntityFrameworkCore;
using Registry.Data.Entities;

namespace Registry.Data;

public sealed class RegistryDbContext(DbContextOptions<RegistryDbContext> options) : DbContext(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<PersonalAccessToken> PersonalAccessTokens => Set<PersonalAccessToken>();
    public DbSet<Experiment> Experiments => Set<Experiment>();
    public DbSet<Model> Models => Set<Model>();
    public DbSet<ModelMetadata> ModelMetadata => Set<ModelMetadata>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<ModelVersionMetadata> ModelVersionMetadata => Set<ModelVersionMetadata>();
    public DbSet<ModelVersionAlias> ModelVersionAliases => Set<ModelVersionAlias>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RegistryDbContext).Assembly);
}
