using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Orleans.Configuration;
using Orleans.Storage;

namespace Oms.Grains.Storage;

/// <summary>
/// Group commit below the grains (docs/decisions/0007). Every grain-state write of this silo goes into one queue; a
/// writer takes everything queued (the writes that arrived while the previous batch committed) and commits it as
/// one database transaction: on PostgreSQL one batched round trip plus the commit, on SQLite one transaction and
/// one fsync. Each write is the provider's own stored <c>WriteToStorageKey</c> query with the provider's
/// parameters, hashes and serializer, so the rows stay the Orleans ADO.NET tables and format, and each keeps its
/// own optimistic-concurrency check: a stale ETag fails that write alone (InconsistentStateException) while the
/// others commit. A write is acknowledged only after its batch committed; a batch that fails fails every write in
/// it, and none of their grains takes a new ETag. Reads and clears stay with the provider.
/// <para>
/// A state with detached items (<see cref="IDetachedItemsState"/>, docs/decisions/0009) is written as its row without
/// the items plus one <c>OmsStateItem</c> row per item changed since its last write, in the same transaction; the
/// item rows of a write whose ETag was stale are not written.
/// </para>
/// </summary>
public sealed partial class GroupCommitGrainStorage : IGrainStorage
{
    /// <summary>Writes per transaction at most: big enough that a flash sale or a bulk feed rarely fills one.</summary>
    public const int MaxBatch = 512;

    private readonly string _name;
    private readonly IGrainStorage _provider;
    private readonly AdoNetGrainStorageOptions _options;
    private readonly string _serviceId;
    private readonly DbProviderFactory _factory;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>();
    private readonly Lazy<Task<string>> _writeQuery;

    public GroupCommitGrainStorage(
        string name, IGrainStorage provider, AdoNetGrainStorageOptions options, string serviceId, DbProviderFactory factory, int writers, ILogger logger)
    {
        _name = name;
        _provider = provider;
        _options = options;
        _serviceId = serviceId;
        _factory = factory;
        _logger = logger;
        _writeQuery = new Lazy<Task<string>>(LoadWriteQueryAsync);
        for (var i = 0; i < writers; i++) _ = Task.Run(RunWriterAsync);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _provider.ReadStateAsync(stateName, grainId, grainState);
        if (grainState.State is IDetachedItemsState { DetachedItemCount: > 0 } detached)
            detached.AttachItems(await ReadItemsAsync(stateName, grainId));
    }

    /// <summary>Clears are rare (no OMS grain clears its state) and go straight to the provider, outside the batches.</summary>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _provider.ClearStateAsync(stateName, grainId, grainState);
        if (grainState.State is IDetachedItemsState) await ClearItemsAsync(stateName, grainId);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!StorageRowKey.IsPlainStateName(stateName))
        {
            await _provider.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        // Serialised now, in the grain's turn: the batch goes out later, while the grain may already change its state.
        var detached = grainState.State as IDetachedItemsState;
        var row = detached is null ? grainState.State : (T)detached.WithoutDetachedItems();
        var payload = _options.GrainStorageSerializer.Serialize(row).ToArray();
        var items = detached is null ? NoItems : [.. detached.TakeChangedItems().Select(i =>
            new ItemWrite(i.Key, i.Value is null ? null : _options.GrainStorageSerializer.Serialize(i.Value).ToArray()))];
        var key = StorageRowKey.For(grainId);
        var hasher = _options.HashPicker.PickHasher(_serviceId, _name, stateName, grainId, grainState)
            ?? throw new InvalidOperationException($"storage {_name} has no hasher");
        var write = new PendingWrite(
            stateName, key, hasher.Hash(key.HashBytes), hasher.Hash(Encoding.UTF8.GetBytes(stateName)),
            grainState.ETag, payload, grainId.ToString(), items);
        OmsGrainMetrics.StorageWriteBytes.Record(write.Bytes, new KeyValuePair<string, object?>("state", stateName));
        await _queue.Writer.WriteAsync(write);
        var version = await write.Done.Task;

        if (!Landed(version, grainState.ETag))
        {
            throw new InconsistentStateException(
                $"Version conflict (WriteState): ServiceId={_serviceId} ProviderName={_name} GrainType={stateName} GrainId={grainId} ETag={grainState.ETag}.");
        }

        grainState.ETag = version;
        grainState.RecordExists = true;
    }

    private async Task RunWriterAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write)) batch.Add(write);
            if (batch.Count == 0) continue;
            try
            {
                var versions = await CommitAsync(batch);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(versions[i]);
                OmsGrainMetrics.StorageBatchSize.Record(batch.Count);
                OmsGrainMetrics.StorageBatchBytes.Record(batch.Sum(w => w.Bytes));
            }
            catch (Exception ex)
            {
                OmsGrainMetrics.StorageBatchesFailed.Add(1);
                LogBatchFailed(ex, _name, batch.Count);
                foreach (var write in batch) write.Done.TrySetException(ex);
            }

            batch.Clear();
        }
    }

    /// <summary>One transaction for the whole batch; the versions the stored query answered, in batch order.</summary>
    private async Task<string?[]> CommitAsync(List<PendingWrite> batch)
    {
        var query = await _writeQuery.Value;
        // One lock order for every batch of every silo: two batches touching the same rows never deadlock.
        var order = Enumerable.Range(0, batch.Count)
            .OrderBy(i => batch[i].GrainIdHash).ThenBy(i => batch[i].GrainTypeHash).ThenBy(i => batch[i].Key.N0).ThenBy(i => batch[i].Key.N1)
            .ThenBy(i => batch[i].Key.StringKey, StringComparer.Ordinal).ThenBy(i => batch[i].StateName, StringComparer.Ordinal).ToArray();
        var versions = new string?[batch.Count];

        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (connection.CanCreateBatch)
        {
            await using var dbBatch = connection.CreateBatch();
            dbBatch.Transaction = transaction;
            foreach (var i in order)
            {
                var command = dbBatch.CreateBatchCommand();
                command.CommandText = query;
                Bind(command.Parameters, command.CreateParameter, batch[i]);
                dbBatch.BatchCommands.Add(command);
            }

            await using (var reader = await dbBatch.ExecuteReaderAsync())
            {
                for (var n = 0; n < order.Length; n++)
                {
                    if (n > 0 && !await reader.NextResultAsync()) throw new InvalidOperationException("a batched write returned no result set");
                    versions[order[n]] = await VersionAsync(reader);
                }
            }

            // A second round trip, only when a landed write changed detached items.
            var items = LandedItems(batch, order, versions).ToList();
            if (items.Count > 0)
            {
                await using var itemBatch = connection.CreateBatch();
                itemBatch.Transaction = transaction;
                foreach (var (write, item) in items)
                {
                    var command = itemBatch.CreateBatchCommand();
                    command.CommandText = BindItem(command.Parameters, command.CreateParameter, write, item);
                    itemBatch.BatchCommands.Add(command);
                }

                await itemBatch.ExecuteNonQueryAsync();
            }
        }
        else
        {
            // One command for the whole batch: the provider (SQLite) prepares the statement once and rebinds it per
            // write; a command per write parsed it again each time (~15 % of a feed's CPU).
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = query;
                foreach (var i in order)
                {
                    command.Parameters.Clear();
                    Bind(command.Parameters, command.CreateParameter, batch[i]);
                    await using var reader = await command.ExecuteReaderAsync();
                    versions[i] = await VersionAsync(reader);
                }
            }

            foreach (var (write, item) in LandedItems(batch, order, versions))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = BindItem(command.Parameters, command.CreateParameter, write, item);
                await command.ExecuteNonQueryAsync();
            }
        }

        await transaction.CommitAsync();
        return versions;
    }

    /// <summary>The provider's own check: no row, a NULL version or the same version back means the ETag was stale.</summary>
    private static bool Landed(string? version, string? etag) =>
        !(version == etag || version == string.Empty || (version is null && etag is not null));

    /// <summary>The item changes of the writes that landed, in the batch's lock order.</summary>
    private static IEnumerable<(PendingWrite Write, ItemWrite Item)> LandedItems(List<PendingWrite> batch, int[] order, string?[] versions) =>
        from i in order
        where batch[i].Items.Length > 0 && Landed(versions[i], batch[i].ETag)
        from item in batch[i].Items.OrderBy(x => x.Key, StringComparer.Ordinal)
        select (batch[i], item);

    /// <summary>Binds one item change and answers its statement.</summary>
    private string BindItem(DbParameterCollection parameters, Func<DbParameter> create, PendingWrite write, ItemWrite item)
    {
        BindOwner(parameters, create, write.StateName, write.GrainKey);
        AddParameter(parameters, create, "ItemKey", DbType.String, item.Key);
        if (item.Payload is null) return StateItemSql.Delete;
        AddParameter(parameters, create, "Payload", DbType.Binary, item.Payload);
        return StateItemSql.Upsert;
    }

    private async Task<List<KeyValuePair<string, object>>> ReadItemsAsync(string stateName, GrainId grainId)
    {
        await using var connection = await OpenAsync();
        await using var command = ItemCommand(connection, StateItemSql.Read, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync();
        var items = new List<KeyValuePair<string, object>>();
        while (await reader.ReadAsync())
        {
            var payload = (byte[])reader.GetValue(1);
            items.Add(KeyValuePair.Create(reader.GetString(0), _options.GrainStorageSerializer.Deserialize<object>(new BinaryData(payload))!));
        }

        return items;
    }

    private async Task ClearItemsAsync(string stateName, GrainId grainId)
    {
        await using var connection = await OpenAsync();
        await using var command = ItemCommand(connection, StateItemSql.Clear, stateName, grainId);
        await command.ExecuteNonQueryAsync();
    }

    private DbCommand ItemCommand(DbConnection connection, string text, string stateName, GrainId grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        BindOwner(command.Parameters, command.CreateParameter, stateName, grainId.ToString());
        return command;
    }

    /// <summary>The columns that say whose items these are.</summary>
    private void BindOwner(DbParameterCollection parameters, Func<DbParameter> create, string stateName, string grainKey)
    {
        AddParameter(parameters, create, "ServiceId", DbType.String, _serviceId);
        AddParameter(parameters, create, "StateName", DbType.String, stateName);
        AddParameter(parameters, create, "GrainKey", DbType.String, grainKey);
    }

    private async Task<DbConnection> OpenAsync()
    {
        var connection = _factory.CreateConnection() ?? throw new InvalidOperationException("no connection");
        connection.ConnectionString = _options.ConnectionString;
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Like the provider: the first row's version, "" for NULL, null when there is no row.</summary>
    private static async Task<string?> VersionAsync(DbDataReader reader)
    {
        if (!await reader.ReadAsync()) return null;
        return reader.IsDBNull(0) ? string.Empty : Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    private void Bind(DbParameterCollection parameters, Func<DbParameter> create, PendingWrite write)
    {
        AddParameter(parameters, create, "GrainIdHash", DbType.Int32, write.GrainIdHash);
        AddParameter(parameters, create, "GrainIdN0", DbType.Int64, write.Key.N0);
        AddParameter(parameters, create, "GrainIdN1", DbType.Int64, write.Key.N1);
        AddParameter(parameters, create, "GrainTypeHash", DbType.Int32, write.GrainTypeHash);
        AddParameter(parameters, create, "GrainTypeString", DbType.String, write.StateName);
        AddParameter(parameters, create, "GrainIdExtensionString", DbType.String, write.Key.StringKey);
        AddParameter(parameters, create, "ServiceId", DbType.String, _serviceId);
        AddParameter(parameters, create, "GrainStateVersion", DbType.Int32,
            string.IsNullOrWhiteSpace(write.ETag) ? null : int.Parse(write.ETag, CultureInfo.InvariantCulture));
        AddParameter(parameters, create, "PayloadBinary", DbType.Binary, write.Payload);
    }

    private static void AddParameter(DbParameterCollection parameters, Func<DbParameter> create, string name, DbType type, object? value)
    {
        var p = create();
        p.ParameterName = name;
        p.DbType = type;
        p.Value = value ?? DBNull.Value;
        parameters.Add(p);
    }

    /// <summary>The provider's stored write query, read from OrleansQuery as the provider reads it.</summary>
    private async Task<string> LoadWriteQueryAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey'";
        var text = await command.ExecuteScalarAsync() as string
            ?? throw new InvalidOperationException("OrleansQuery has no WriteToStorageKey: apply the storage schema first");
        // A batched command is one statement: no trailing separator.
        return text.Trim().TrimEnd(';').Trim();
    }

    private static readonly ItemWrite[] NoItems = [];

    /// <summary>One detached item to store (or, with no payload, to delete).</summary>
    private sealed record ItemWrite(string Key, byte[]? Payload);

    private sealed record PendingWrite(
        string StateName, StorageRowKey Key, int GrainIdHash, int GrainTypeHash, string? ETag, byte[] Payload, string GrainKey, ItemWrite[] Items)
    {
        public TaskCompletionSource<string?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Payload bytes this write sends: its row and its changed items.</summary>
        public long Bytes { get; } = Payload.Length + Items.Sum(i => i.Key.Length + (i.Payload?.Length ?? 0));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage {Storage}: a batch of {Writes} writes failed; every write in it fails to its caller")]
    private partial void LogBatchFailed(Exception ex, string storage, int writes);
}
