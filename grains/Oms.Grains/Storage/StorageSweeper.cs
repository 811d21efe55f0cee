using System.Data;
using System.Data.Common;
using System.Globalization;
using Oms.Grains.Carts;
using Orleans.Configuration;

namespace Oms.Grains.Storage;

/// <summary>
/// The I/O of the storage sweep (docs/decisions/0022) on the Orleans ADO.NET storage table, SQLite or PostgreSQL:
/// reads the rows each <see cref="RetentionRules.Queries"/> names, lets <see cref="RetentionRules.MayDelete"/>
/// decide, and deletes the chosen rows in transactions of <see cref="RetentionOptions.BatchSize"/>, each row only if
/// its version is still the one read (a row written meanwhile stays). At most <see cref="MaxRowsPerQuery"/> rows per
/// query and sweep, so a backlog is worked off over several sweeps without holding much in memory.
/// </summary>
public sealed class StorageSweeper(
    DbProviderFactory factory, string connectionString, bool sqlite, string serviceId, AdoNetGrainStorageOptions storage)
{
    public const int MaxRowsPerQuery = 100_000;

    private const string Columns =
        "GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, Version, ModifiedOn";

    private const string Delete = """
        DELETE FROM OrleansStorage
        WHERE ServiceId = @ServiceId AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
            AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
            AND ((GrainIdExtensionString IS NULL AND @GrainIdExtensionString IS NULL) OR GrainIdExtensionString = @GrainIdExtensionString)
            AND Version = @Version
        """;

    private sealed record Row(int GrainIdHash, long N0, long N1, int GrainTypeHash, string StateName, string? Extension, int Version);

    /// <summary>Deletes what may go as of <paramref name="now"/>; returns the rows deleted per state name ("cleared" for cleared states).</summary>
    public async Task<Dictionary<string, int>> SweepAsync(DateTimeOffset now, RetentionOptions options, CancellationToken cancellationToken = default)
    {
        var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var query in RetentionRules.Queries(options))
        {
            var rows = await ReadAsync(query, now, options, cancellationToken);
            var count = await DeleteAsync(rows, options.BatchSize, cancellationToken);
            if (count > 0) deleted[query.StateName ?? "cleared"] = count;
        }

        return deleted;
    }

    private async Task<List<Row>> ReadAsync(RetentionQuery query, DateTimeOffset now, RetentionOptions options, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var filter = query.StateName is null ? "PayloadBinary IS NULL" : "GrainTypeString = @StateName AND PayloadBinary IS NOT NULL";
        command.CommandText = $"SELECT {Columns}{(query.ReadsPayload ? ", PayloadBinary" : "")} FROM OrleansStorage " +
                              $"WHERE ServiceId = @ServiceId AND {filter} AND ModifiedOn < @Cutoff LIMIT {MaxRowsPerQuery}";
        Add(command, "ServiceId", serviceId);
        if (query.StateName is not null) Add(command, "StateName", query.StateName);
        Add(command, "Cutoff", Timestamp(now - query.Age));

        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var stateName = reader.GetString(4);
            var state = query.ReadsPayload ? Decode(stateName, (byte[])reader.GetValue(8)) : null;
            if (!RetentionRules.MayDelete(stateName, ReadTimestamp(reader.GetValue(7)), query.StateName is null, state, now, options)) continue;
            rows.Add(new Row(
                Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture),
                Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture),
                stateName,
                reader.IsDBNull(5) ? null : reader.GetString(5),
                Convert.ToInt32(reader.GetValue(6), CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    private async Task<int> DeleteAsync(List<Row> rows, int batchSize, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var batch in rows.Chunk(batchSize))
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Delete;
            var p = new[] { "ServiceId", "GrainIdHash", "GrainTypeHash", "GrainIdN0", "GrainIdN1", "GrainTypeString", "GrainIdExtensionString", "Version" }
                .Select(name => Add(command, name, null)).ToArray();
            p[0].Value = serviceId;
            p[6].DbType = DbType.String;
            foreach (var row in batch)
            {
                (p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value, p[6].Value, p[7].Value) =
                    (row.GrainIdHash, row.GrainTypeHash, row.N0, row.N1, row.StateName, (object?)row.Extension ?? DBNull.Value, row.Version);
                deleted += await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return deleted;
    }

    /// <summary>Only carts are read: the payload in the provider's own format, with its serializer.</summary>
    private object? Decode(string stateName, byte[] payload) => stateName switch
    {
        RetentionRules.Cart => storage.GrainStorageSerializer.Deserialize<CartState>(new BinaryData(payload)),
        _ => null,
    };

    /// <summary>ModifiedOn as each schema writes it: ISO-8601 text on SQLite (sqlite-storage.sql), timestamptz on PostgreSQL.</summary>
    private object Timestamp(DateTimeOffset at) =>
        sqlite ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : at.UtcDateTime;

    private static DateTimeOffset ReadTimestamp(object value) => value switch
    {
        string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        DateTimeOffset dto => dto,
        _ => throw new InvalidOperationException($"ModifiedOn read as {value.GetType()}"),
    };

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = factory.CreateConnection() ?? throw new InvalidOperationException("the provider factory made no connection");
        connection.ConnectionString = connectionString;
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static DbParameter Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
