namespace Oms.GrainInterfaces.Inventory;

[GenerateSerializer, Immutable, Alias("oms.FeedRow")]
public sealed record FeedRow(
    [property: Id(0)] int Index,
    [property: Id(1)] string LocationId,
    [property: Id(2)] string Sku,
    [property: Id(3)] AbsoluteLevel Level);

[GenerateSerializer, Immutable, Alias("oms.RowRejection")]
public sealed record RowRejection(
    [property: Id(0)] int Index,
    [property: Id(1)] string Code,
    [property: Id(2)] string Detail);

[GenerateSerializer, Immutable, Alias("oms.FeedBatchResult")]
public sealed record FeedBatchResult(
    [property: Id(0)] int Applied,
    [property: Id(1)] int Ignored,
    [property: Id(2)] RowRejection[] Rejected);

/// <summary>Applies a chunk of absolute levels next to the inventory grains (a stateless worker per silo).</summary>
public interface IFeedBatchGrain : IGrainWithIntegerKey
{
    Task<FeedBatchResult> ApplyAsync(FeedRow[] rows);
}
