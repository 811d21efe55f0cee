using Microsoft.Extensions.Options;
using Oms.GrainInterfaces.Idempotency;
using Oms.Grains.Storage;
using Orleans.Storage;

namespace Oms.Grains.Idempotency;

[GenerateSerializer, Alias("oms.IdempotencyRecord")]
public sealed class IdempotencyRecord
{
    [Id(0)] public string? RequestHash { get; set; }
    [Id(1)] public StoredResponse? Response { get; set; }
    [Id(2)] public DateTimeOffset CompletedAt { get; set; }
}

/// <summary>
/// One Idempotency-Key. The completed answer is durable; the in-flight marker lives only in memory, so after a
/// crash a retry runs again (the operations behind it are idempotent by their own natural keys).
/// </summary>
public sealed class IdempotencyGrain(
    [PersistentState("idempotency", OmsNames.Storage)] IPersistentState<IdempotencyRecord> state,
    IOptions<RetentionOptions> retention,
    TimeProvider clock) : Grain, IIdempotencyGrain
{
    /// <summary>How long an answer is replayed; the storage sweep deletes the record after that (docs/decisions/0022).</summary>
    private TimeSpan Retention => retention.Value.IdempotencyKeys;

    /// <summary>After this long an unfinished attempt is presumed dead and a retry may run.</summary>
    public static readonly TimeSpan InFlightTimeout = TimeSpan.FromMinutes(2);

    private (string Hash, DateTimeOffset Since)? _inFlight;

    public Task<IdempotencyBegin> BeginAsync(string requestHash)
    {
        var now = clock.GetUtcNow();
        var record = state.State;
        if (record?.Response is { } response && now - record.CompletedAt < Retention)
        {
            return Task.FromResult(record.RequestHash == requestHash
                ? new IdempotencyBegin(IdempotencyOutcome.Replay, response)
                : new IdempotencyBegin(IdempotencyOutcome.Mismatch, null));
        }

        if (_inFlight is { } running && now - running.Since < InFlightTimeout)
        {
            return Task.FromResult(new IdempotencyBegin(
                running.Hash == requestHash ? IdempotencyOutcome.InProgress : IdempotencyOutcome.Mismatch, null));
        }

        _inFlight = (requestHash, now);
        return Task.FromResult(new IdempotencyBegin(IdempotencyOutcome.Proceed, null));
    }

    public async Task RedactAsync(GrainInterfaces.Events.Redaction[] redactions)
    {
        if (state.State?.Response is not { } response) return;
        var body = System.Text.Encoding.UTF8.GetString(response.Body);
        var redacted = Events.EventLogState.Redacted(body, redactions);
        if (redacted == body) return;
        state.State.Response = response with { Body = System.Text.Encoding.UTF8.GetBytes(redacted) };
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            // The sweep deleted the expired record meanwhile: nothing is kept any more, so nothing is left to redact.
            await state.ReadStateAsync();
        }
    }

    public async Task CompleteAsync(string requestHash, StoredResponse response)
    {
        state.State = new IdempotencyRecord { RequestHash = requestHash, Response = response, CompletedAt = clock.GetUtcNow() };
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            // The sweep deleted this key's expired record while this activation still held its version: write anew.
            var record = state.State;
            await state.ReadStateAsync();
            state.State = record;
            await state.WriteStateAsync();
        }
        _inFlight = null;
    }

    public Task AbandonAsync(string requestHash)
    {
        if (_inFlight?.Hash == requestHash) _inFlight = null;
        return Task.CompletedTask;
    }
}
