using Npgsql;
using Registry.Api.Features.RegisteredModels;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;

namespace Registry.Tests.Unit;

/// <summary>The typed SQL layer: placeholders where the text uses them, one text per statement shape, readers that cannot drift.</summary>
public sealed class SqlParametersTests
{
    [Fact]
    public void Each_added_value_gets_the_next_placeholder_and_keeps_its_type()
    {
        var sql = new SqlParameters();

        Assert.Equal(["$1", "$2", "$3"], [sql.Add(7L), sql.Add("name"), sql.Add<string?>(null)]);
        Assert.IsType<NpgsqlParameter<long>>(sql.Values[0]);
        Assert.IsType<NpgsqlParameter<string>>(sql.Values[2]);
    }

    [Fact]
    public void A_statement_built_with_other_values_has_the_same_text_so_one_prepared_statement_serves_it()
    {
        var first = RegisteredModelStore.CreateSql(new SqlParameters(), 1, 1, "a", null, [], DateTime.UtcNow);
        var second = RegisteredModelStore.CreateSql(new SqlParameters(), 2, 3, "another name", "described", [new("k", "v")], DateTime.UnixEpoch);

        Assert.Equal(first, second);
    }

    [Fact]
    public void A_column_list_refuses_a_column_added_after_its_SELECT_was_written()
    {
        var columns = new SqlColumns();
        Assert.Equal(0, columns.Add("a"));
        Assert.Equal(1, columns.Add("b"));

        Assert.Equal("a, b", columns.Sql);
        Assert.Throws<InvalidOperationException>(() => columns.Add("c"));
    }

    [Fact]
    public void An_outcome_answers_its_value_or_its_error_never_both()
    {
        Outcome<string> found = "value";
        Outcome<string> missing = MlflowError.ResourceDoesNotExist("Registered Model with name=m not found");

        Assert.Equal("value", found.Value);
        Assert.Null(found.Error);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", missing.Error?.ErrorCode);
        Assert.Throws<InvalidOperationException>(() => missing.Value);
    }
}
