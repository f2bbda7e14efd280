namespace Registry.AppHost.Postgres;

/// <summary>A PostgreSQL server run from the machine's binaries as a DCP executable, for machines without a container runtime.</summary>
internal sealed class LocalPostgresResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => new(this, EndpointName);

    // Trust authentication on loopback: this server exists for development and tests only.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres");
}
