using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>A rolling upgrade never breaks the replicas still running the previous build: migrations only add.</summary>
public sealed class ExpandOnlyMigrationTests
{
    [Fact]
    public void Every_migration_after_the_baseline_only_adds_or_says_why_it_is_a_contract_step()
    {
        var migrations = ExpandOnlyMigrations.AfterBaseline(Path.Combine(Repository.Root, "Registry.Data", "Migrations")).ToList();

        Assert.NotEmpty(migrations);
        Assert.All(migrations, m => Assert.True(ExpandOnlyMigrations.Violations(m.Source).Count == 0,
            $"{m.Name} does what the previous build may not survive: {string.Join(", ", ExpandOnlyMigrations.Violations(m.Source))}. " +
            "Add now, drop or rename a release after the code stopped using it (README, Upgrade), in a migration whose Up says " +
            $"'{ExpandOnlyMigrations.ContractStep} <reason>'."));
    }

    [Theory]
    [InlineData("migrationBuilder.DropColumn(name: \"description\", table: \"ml_models\");", "DropColumn")]
    [InlineData("migrationBuilder.RenameColumn(name: \"a\", table: \"t\", newName: \"b\");", "RenameColumn")]
    [InlineData("migrationBuilder.AlterColumn<DateTime>(name: \"expires_at\", table: \"t\", nullable: false);", "AlterColumn")]
    [InlineData("migrationBuilder.DropIndex(name: \"ix_ml_models_project_id_name\", table: \"ml_models\");", "DropIndex")]
    [InlineData("migrationBuilder.Sql(\"ALTER TABLE ml_models ALTER COLUMN name SET NOT NULL;\");", "SQL SET NOT NULL")]
    [InlineData("migrationBuilder.Sql(Contract);", "SQL DROP TABLE/COLUMN/INDEX/CONSTRAINT")]
    public void A_destructive_operation_in_Up_is_a_violation(string operation, string expected)
    {
        Assert.Equal([expected], ExpandOnlyMigrations.Violations(Migration(operation)));
    }

    [Fact]
    public void Destructive_operations_in_Down_and_annotated_contract_steps_are_allowed()
    {
        Assert.Empty(ExpandOnlyMigrations.Violations(Migration("migrationBuilder.AddColumn<string>(name: \"x\", table: \"t\", nullable: true);")));
        Assert.Empty(ExpandOnlyMigrations.Violations(Migration(
            "// Contract step: no build since 2027-01 reads ml_models.legacy_flag\n            migrationBuilder.DropColumn(name: \"legacy_flag\", table: \"ml_models\");")));
        Assert.Equal(["'// Contract step:' needs a reason (at least 20 characters)"],
            ExpandOnlyMigrations.Violations(Migration("// Contract step: ok\n            migrationBuilder.DropColumn(name: \"x\", table: \"t\");")));
    }

    private static string Migration(string up) =>
        $$""""
        public partial class Example : Migration
        {
            private const string Contract = """
                ALTER TABLE ml_models DROP COLUMN legacy;
                """;

            protected override void Up(MigrationBuilder migrationBuilder)
            {
                {{up}}
            }

            protected override void Down(MigrationBuilder migrationBuilder)
            {
                migrationBuilder.DropTable(name: "t");
                migrationBuilder.Sql("DROP INDEX ix;");
            }
        }
        """";
}
