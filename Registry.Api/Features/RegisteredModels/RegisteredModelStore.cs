using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Registry.Data;
using Registry.Api.Mlflow;
using Registry.Data.Entities;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>Registered models in PostgreSQL. Uniqueness lives in the database; this class turns its verdicts into outcomes.</summary>
internal sealed class RegisteredModelStore(NpgsqlDataSource dataSource, RegistryDbContext db)
{
    private const string ModelNameConstraint = "ix_ml_models_project_id_name";

    /// <summary>
    /// One statement, so one round trip and one implicit transaction: find or create the model's default experiment
    /// <c>[model]name</c> (numbered from the project's counter only when it is new), create the model, insert its tags.
    /// A taken name fails on the unique index and nothing is written.
    /// </summary>
    private const string CreateSql =
        """
        WITH existing AS (
            SELECT id FROM ml_experiments WHERE project_id = $1 AND name = $2
        ), next_iid AS (
            UPDATE projects SET last_experiment_iid = last_experiment_iid + 1
            WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM existing)
            RETURNING last_experiment_iid
        ), created AS (
            INSERT INTO ml_experiments (project_id, iid, name, user_id, created_at, updated_at)
            SELECT $1, last_experiment_iid, $2, $3, $4, $4 FROM next_iid
            ON CONFLICT (project_id, name) DO NOTHING
            RETURNING id
        ), experiment AS (
            SELECT id FROM existing UNION ALL SELECT id FROM created
        ), model AS (
            INSERT INTO ml_models (project_id, name, description, user_id, default_experiment_id, created_at, updated_at)
            SELECT $1, $5, $6, $3, id, $4, $4 FROM experiment
            RETURNING id
        ), tags AS (
            INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
            SELECT model.id, tag.key, tag.value, $4, $4 FROM model, unnest($7::text[], $8::text[]) AS tag(key, value)
        )
        SELECT id FROM model
        """;

    private static readonly Func<RegistryDbContext, long, string, CancellationToken, Task<Model?>> FindByName =
        EF.CompileAsyncQuery((RegistryDbContext db, long projectId, string name, CancellationToken _) =>
            db.Models.AsNoTracking().Include(m => m.Metadata).FirstOrDefault(m => m.ProjectId == projectId && m.Name == name));

    public static string DefaultExperimentName(string modelName) => $"[model]{modelName}";

    /// <returns>The created model, or null when the name is taken.</returns>
    public async Task<RegisteredModel?> CreateAsync(
        long projectId, long userId, string name, string? description, IReadOnlyList<RegisteredModelTag> tags, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now();
        // A concurrent create of the same experiment can make ours yield no row without an error; the retry then sees it.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var command = dataSource.CreateCommand(CreateSql);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = DefaultExperimentName(name) });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)description ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] });
            try
            {
                if (await command.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    var millis = Timestamps.ToMillis(now);
                    return new RegisteredModel(name, millis, millis, description, UserIdText(userId), tags);
                }
            }
            catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: ModelNameConstraint })
            {
                return null;
            }
        }
        throw new InvalidOperationException($"Could not settle the default experiment of model '{name}' after concurrent creates.");
    }

    public async Task<RegisteredModel?> FindAsync(long projectId, string name, CancellationToken cancellationToken)
    {
        var model = await FindByName(db, projectId, name, cancellationToken);
        return model is null ? null : ToWire(model);
    }

    private static RegisteredModel ToWire(Model model) => new(
        model.Name,
        Timestamps.ToMillis(model.CreatedAt),
        Timestamps.ToMillis(model.UpdatedAt),
        model.Description,
        model.UserId is { } userId ? UserIdText(userId) : null,
        [.. model.Metadata.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new RegisteredModelTag(t.Name, t.Value))]);

    private static string UserIdText(long userId) => userId.ToString(CultureInfo.InvariantCulture);
}
