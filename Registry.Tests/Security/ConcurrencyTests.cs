using Registry.Tests.Infrastructure;

namespace Registry.Tests.Security;

[Collection(RegistryCollection.Name)]
public sealed class ConcurrencyTests(RegistryAppFixture app)
{
    [Fact]
    public Task Clients_racing_to_create_rename_delete_and_alias_the_same_names_leave_a_consistent_registry() =>
        ConcurrencyScenarios.RacingCreateRenameDeleteAndAliasLeaveAConsistentRegistryAsync(_ => app.Http, app.ConnectionString, app.Tenants);
}
