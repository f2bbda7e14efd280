using Microsoft.EntityFrameworkCore;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using Npgsql;

namespace Registry.Data;

public static class RegistryDatabaseOptions
{
    /// <summary>The one way every host (API, migration worker, design-time tools) configures <see cref="RegistryDbContext"/>.</summary>
    public static DbContextOptionsBuilder UseRegistryDatabase(
        this DbContextOptionsBuilder options, NpgsqlDataSource dataSource, Action<NpgsqlDbContextOptionsBuilder>? npgsql = null) =>
        options.UseNpgsql(dataSource, npgsql).UseSnakeCaseNamingConvention();
}
