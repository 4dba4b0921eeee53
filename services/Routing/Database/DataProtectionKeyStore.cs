using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Routing.Database;

/// <summary>
/// Data Protection's key ring in PostgreSQL (table data_protection_keys), shared by every replica: a console session signed
/// by one is read by the others and outlives a restart. The keys are as safe as the database, which holds the customers'
/// messages anyway; Data Protection's own encryption at rest (a certificate) can be added on top.
/// </summary>
internal sealed class DataProtectionKeyStore(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<string>("select xml from data_protection_keys order by created_at, friendly_name")
            .Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dataSource.OpenConnection();
        // a key's name is unique: a second replica creating the same one at once keeps the first
        connection.Execute(
            "insert into data_protection_keys (friendly_name, xml, created_at) values (@friendlyName, @xml, now()) on conflict (friendly_name) do nothing",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
