namespace Registry.Tests.Infrastructure;

/// <summary>
/// Suites that start a PostgreSQL server of their own (<see cref="OwnedPostgres"/>) to stop it, migrate it from an old
/// schema or leave it behind: one at a time, beside the AppHost's collection rather than against each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OutageCollection
{
    public const string Name = "owned-postgres";
}

/// <summary>
/// Suites that need only S3-compatible storage and a database of their own: one moto server for all of them. The S3
/// suites that talk to the AppHost's API stay in <see cref="RegistryCollection"/>, with a moto of their own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<MotoServer>
{
    public const string Name = "s3";
}
