using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>The registry collection's races, every other request sent to the other replica: the same exact outcomes.</summary>
[Collection(ScaleCollection.Name)]
public sealed class SplitConcurrencyTests(ScaleFixture scale)
{
    private readonly Replicas _replicas = scale.File;

    [Fact]
    public Task Thirty_two_creates_of_one_name_split_across_replicas_let_exactly_one_win() =>
        ConcurrencyScenarios.ThirtyTwoCreatesOfOneNameLetExactlyOneWinAsync(_replicas.Split, _replicas.ConnectionString, _replicas.Tenants);

    [Fact]
    public Task Creates_of_different_names_split_across_replicas_get_distinct_experiment_numbers() =>
        ConcurrencyScenarios.CreatesOfDifferentNamesGetDistinctExperimentNumbersAsync(_replicas.Split, _replicas.ConnectionString, _replicas.Tenants);

    [Fact]
    public Task Thirty_two_version_creates_split_across_replicas_number_1_to_32() =>
        ConcurrencyScenarios.ThirtyTwoVersionCreatesNumberOneToThirtyTwoAsync(_replicas.Split, _replicas.Tenants);

    [Fact]
    public Task Replays_of_one_log_batch_split_across_replicas_store_each_point_once() =>
        ConcurrencyScenarios.ReplaysOfOneBatchStoreEachPointOnceAsync(_replicas.Split, _replicas.Tenants);

    [Fact]
    public Task Clients_racing_on_the_same_names_through_both_replicas_leave_a_consistent_registry() =>
        ConcurrencyScenarios.RacingCreateRenameDeleteAndAliasLeaveAConsistentRegistryAsync(_replicas.Split, _replicas.ConnectionString, _replicas.Tenants);
}
