using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Registry.Api.Features.Webhooks;

/// <summary>
/// Webhook secrets are stored encrypted (ASP.NET Core Data Protection) and decrypted only to sign a delivery. The key
/// ring lives in PostgreSQL (<see cref="PostgresKeyRing"/>), so every API process reads what any other wrote.
/// </summary>
internal sealed class SecretProtection(IDataProtectionProvider provider, NpgsqlDataSource dataSource)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Registry.Webhooks.Secret");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    public async Task<string> ProtectAsync(string secret, CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken);
        return _protector.Protect(secret);
    }

    public async Task<string> UnprotectAsync(string protectedSecret, CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken);
        return _protector.Unprotect(protectedSecret);
    }

    /// <summary>
    /// The first use in each process loads the key ring under a database-wide lock: processes that start together on an
    /// empty ring would otherwise each make a key of their own and encrypt with a key the others have not read.
    /// </summary>
    private async Task ReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('registry:api_data_protection_keys', 0))", connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            _protector.Protect("key ring");
            await transaction.CommitAsync(cancellationToken);
            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static void AddTo(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Registry.Api");
        // The framework's start-up warm-up would read the key ring outside ReadyAsync's lock (racing other processes on an
        // empty ring) and log an Error when the database is down at start; the ring is loaded on first use instead.
        foreach (var warmUp in services.Where(descriptor => descriptor.ServiceType == typeof(IHostedService)
                     && descriptor.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList())
        {
            services.Remove(warmUp);
        }
        services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((options, dataSource) => options.XmlRepository = PostgresKeyRing.ApiKeys(dataSource));
        services.AddSingleton<SecretProtection>();
    }
}
