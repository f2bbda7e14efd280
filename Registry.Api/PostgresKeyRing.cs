using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api;

/// <summary>
/// A Data Protection key ring in a PostgreSQL table, so every process reads what any other wrote; the framework calls
/// it rarely and synchronously. The API owns <see cref="ApiKeys"/>; it only reads the web's <see cref="WebKeys"/>.
/// </summary>
internal sealed class PostgresKeyRing : IXmlRepository
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private readonly bool _readOnly;

    private PostgresKeyRing(NpgsqlDataSource dataSource, string table, bool readOnly) =>
        (_dataSource, _table, _readOnly) = (dataSource, table, readOnly);

    /// <summary>The API's own keys (<c>api_data_protection_keys</c>): webhook secrets.</summary>
    public static PostgresKeyRing ApiKeys(NpgsqlDataSource dataSource) => new(dataSource, "api_data_protection_keys", readOnly: false);

    /// <summary>The web's keys (<c>data_protection_keys</c>), read-only: a key this process cannot find is simply not trusted.</summary>
    public static PostgresKeyRing WebKeys(NpgsqlDataSource dataSource) => new(dataSource, "data_protection_keys", readOnly: true);

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = _dataSource.CreateCommand($"SELECT xml FROM {_table} ORDER BY id");
        using var reader = command.ExecuteReader();
        var keys = new List<XElement>();
        while (reader.Read())
        {
            keys.Add(XElement.Parse(reader.GetString(0)));
        }
        return keys;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        if (_readOnly)
        {
            throw new InvalidOperationException($"The key ring in {_table} is not this process's to write.");
        }
        var sql = new SqlParameters();
        using var command = sql.Command(_dataSource,
            $"INSERT INTO {_table} (friendly_name, xml) VALUES ({sql.Add(friendlyName)}, {sql.Add(element.ToString(SaveOptions.DisableFormatting))})");
        command.ExecuteNonQuery();
    }
}
