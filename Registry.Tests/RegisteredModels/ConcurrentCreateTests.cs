using Registry.Tests.Infrastructure;

namespace Registry.Tests.RegisteredModels;

/// <summary>Against one API process; Scale/SplitConcurrencyTests runs the same races split across two replicas.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ConcurrentCreateTests(RegistryAppFixture app)
{
    [Fact]
    public Task Thirty_two_concurrent_creates_of_one_name_let_exactly_one_win_and_write_nothing_twice() =>
        ConcurrencyScenarios.ThirtyTwoCreatesOfOneNameLetExactlyOneWinAsync(_ => app.Http, app.ConnectionString, app.Tenants);

    [Fact]
    public Task Concurrent_creates_of_different_names_all_succeed_with_distinct_experiment_numbers() =>
        ConcurrencyScenarios.CreatesOfDifferentNamesGetDistinctExperimentNumbersAsync(_ => app.Http, app.ConnectionString, app.Tenants);
}
