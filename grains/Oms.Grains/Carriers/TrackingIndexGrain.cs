using Oms.GrainInterfaces.Carriers;

namespace Oms.Grains.Carriers;

[GenerateSerializer, Alias("oms.TrackingIndexState")]
public sealed class TrackingIndexState
{
    [Id(0)] public string? FulfilmentId { get; set; }
}

/// <summary>One carrier tracking number and the fulfilment it was shipped on: durable before the ship is answered.</summary>
public sealed class TrackingIndexGrain(
    [PersistentState("tracking", OmsNames.Storage)] IPersistentState<TrackingIndexState> state) : Grain, ITrackingIndexGrain
{
    public async Task RegisterAsync(string fulfilmentId)
    {
        if (state.State.FulfilmentId == fulfilmentId) return;
        state.State.FulfilmentId = fulfilmentId;
        await state.WriteStateAsync();
    }

    public Task<string?> GetAsync() => Task.FromResult(state.State.FulfilmentId);
}
