using Oms.GrainInterfaces.Reference;

namespace Oms.GrainInterfaces.Sourcing;

/// <summary>A candidate filter of a sourcing profile, applied in the order the profile lists them.</summary>
[GenerateSerializer, Alias("oms.SourcingFilter")]
public enum SourcingFilter
{
    /// <summary>The location's type is one of the profile's <see cref="SourcingProfile.LocationTypes"/>.</summary>
    LocationType,
    /// <summary>The location is not marked offline.</summary>
    NotOffline,
    /// <summary>The location has daily capacity left.</summary>
    Capacity,
    /// <summary>Within <see cref="SourcingProfile.MaxDistanceKm"/> of the customer (or pickup store).</summary>
    MaxDistance,
    /// <summary>Can ship every line of the order by itself.</summary>
    FullStock,
    /// <summary>Can ship at least one unit of some line.</summary>
    PartialStock,
}

/// <summary>A ranking criterion; each scores a candidate 0..1, and the score is the weighted sum.</summary>
[GenerateSerializer, Alias("oms.SourcingCriterion")]
public enum SourcingCriterion
{
    /// <summary>Warehouses and hubs before stores, stores before drop-ship vendors.</summary>
    LocationType,
    /// <summary>The location's own priority (1 is first).</summary>
    Priority,
    /// <summary>Closer to the customer (or the pickup store) is better.</summary>
    Distance,
    /// <summary>Covers more of what is still to source: fewer splits.</summary>
    FewestSplits,
    /// <summary>Shorter turnaround is better.</summary>
    Turnaround,
    /// <summary>More of today's capacity left is better.</summary>
    CapacityLeft,
    /// <summary>Lower cost per unit is better.</summary>
    Cost,
    /// <summary>For customers of a high-value tier only: the fastest locations.</summary>
    CustomerTier,
}

[GenerateSerializer, Immutable, Alias("oms.RankingWeight")]
public sealed record RankingWeight([property: Id(0)] SourcingCriterion Criterion, [property: Id(1)] double Weight);

/// <summary>How orders of the bound channels are sourced.</summary>
[GenerateSerializer, Immutable, Alias("oms.SourcingProfile")]
public sealed record SourcingProfile(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] string[] Channels,
    [property: Id(2)] SourcingFilter[] Filters,
    [property: Id(3)] RankingWeight[] Ranking,
    [property: Id(4)] int MaxSplits,
    [property: Id(5)] LocationType[] LocationTypes,
    [property: Id(6)] double? MaxDistanceKm,
    [property: Id(7)] string[] HighValueTiers,
    [property: Id(8)] bool ShipToStore)
{
    /// <summary>Used for a channel no profile is bound to.</summary>
    public static SourcingProfile Default { get; } = new(
        "default",
        [],
        [SourcingFilter.NotOffline, SourcingFilter.Capacity, SourcingFilter.PartialStock],
        [
            new(SourcingCriterion.FewestSplits, 4),
            new(SourcingCriterion.LocationType, 2),
            new(SourcingCriterion.Distance, 2),
            new(SourcingCriterion.Priority, 1),
            new(SourcingCriterion.Turnaround, 1),
            new(SourcingCriterion.CustomerTier, 1),
        ],
        3,
        [],
        null,
        ["gold", "platinum", "vip"],
        true);
}

[GenerateSerializer, Alias("oms.FulfilmentType")]
public enum FulfilmentType
{
    Ship,
    Pickup,
}

[GenerateSerializer, Immutable, Alias("oms.OrderLineRequest")]
public sealed record OrderLineRequest(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal UnitPrice);

[GenerateSerializer, Immutable, Alias("oms.Address")]
public sealed record Address(
    [property: Id(0)] double? Latitude,
    [property: Id(1)] double? Longitude,
    [property: Id(2)] string? Country);

[GenerateSerializer, Immutable, Alias("oms.Customer")]
public sealed record Customer(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Tier,
    [property: Id(2)] string? Email,
    [property: Id(3)] string? Phone = null,
    [property: Id(4)] Notifications.NotificationPreference? Notifications = null);

/// <summary>What is asked for: the body of an order and of a sourcing dry run.</summary>
[GenerateSerializer, Immutable, Alias("oms.OrderRequest")]
public sealed record OrderRequest(
    [property: Id(0)] string? CartId,
    [property: Id(1)] string Channel,
    [property: Id(2)] Customer Customer,
    [property: Id(3)] OrderLineRequest[] Lines,
    [property: Id(4)] FulfilmentType Type,
    [property: Id(5)] string? PickupLocationId,
    [property: Id(6)] Address? Address,
    [property: Id(7)] string? ExchangeFor = null);

/// <summary>One location's part of a plan: which units of which SKUs it ships, and why it was chosen.</summary>
[GenerateSerializer, Immutable, Alias("oms.PlannedFulfilment")]
public sealed record PlannedFulfilment(
    [property: Id(0)] string LocationId,
    [property: Id(1)] Dictionary<string, int> Lines,
    [property: Id(2)] double Score,
    [property: Id(3)] string[] Reasons,
    [property: Id(4)] string? TransferTo);

[GenerateSerializer, Immutable, Alias("oms.RejectedCandidate")]
public sealed record RejectedCandidate(
    [property: Id(0)] string LocationId,
    [property: Id(1)] string[] Reasons);

[GenerateSerializer, Immutable, Alias("oms.SourcingShortfall")]
public sealed record SourcingShortfall(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Requested,
    [property: Id(2)] int Sourced);

/// <summary>Where one line's units come from, and why each location was chosen.</summary>
[GenerateSerializer, Immutable, Alias("oms.PlannedSource")]
public sealed record PlannedSource(
    [property: Id(0)] string LocationId,
    [property: Id(1)] int Quantity,
    [property: Id(2)] string[] Reasons);

[GenerateSerializer, Immutable, Alias("oms.PlannedLine")]
public sealed record PlannedLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] int Sourced,
    [property: Id(3)] PlannedSource[] Locations);

/// <summary>The plan by location (<see cref="Fulfilments"/>) and the same by line (<see cref="Lines"/>).</summary>
[GenerateSerializer, Immutable, Alias("oms.SourcingPlan")]
public sealed record SourcingPlan(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] bool Complete,
    [property: Id(2)] PlannedFulfilment[] Fulfilments,
    [property: Id(3)] RejectedCandidate[] Rejected,
    [property: Id(4)] SourcingShortfall[] Shortfalls,
    [property: Id(5)] DateTimeOffset? EstimatedDelivery,
    [property: Id(6)] PlannedLine[]? Lines = null);

/// <summary>Dry-run sourcing (stateless): the plan an order would get now, changing nothing.</summary>
public interface ISourcingGrain : IGrainWithIntegerKey
{
    Task<SourcingPlanResult> PlanAsync(OrderRequest request);
}

[GenerateSerializer, Immutable, Alias("oms.SourcingPlanResult")]
public sealed record SourcingPlanResult(
    [property: Id(0)] string? Problem,
    [property: Id(1)] string? Field,
    [property: Id(2)] SourcingPlan? Plan,
    [property: Id(3)] Orders.OrderOutcome Outcome = Orders.OrderOutcome.Ok);
