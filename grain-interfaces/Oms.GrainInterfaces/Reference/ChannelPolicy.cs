namespace Oms.GrainInterfaces.Reference;

/// <summary>Units and/or percent held back from what a channel may sell.</summary>
[GenerateSerializer, Immutable, Alias("oms.ChannelBuffers")]
public sealed record ChannelBuffers(
    [property: Id(0)] Dictionary<LocationType, int> ByType,
    [property: Id(1)] Dictionary<string, int> ByLocation,
    [property: Id(2)] int Percent)
{
    public static ChannelBuffers None { get; } = new([], [], 0);
}

/// <summary>
/// A sales channel's view of stock: which locations may sell to it and what is held back.
/// A location is eligible when it is not offline and either is listed in <see cref="LocationIds"/>, or
/// matches every given selector (<see cref="LocationTypes"/>, <see cref="Region"/>, <see cref="LocationTags"/>).
/// With explicit ids and no type/tag selector, only the listed ids are eligible.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.ChannelPolicy")]
public sealed record ChannelPolicy(
    [property: Id(0)] string ChannelId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Region,
    [property: Id(3)] LocationType[] LocationTypes,
    [property: Id(4)] string[] LocationIds,
    [property: Id(5)] string[] LocationTags,
    [property: Id(6)] string[] ExcludedSkus,
    [property: Id(7)] string[] ExcludedCategories,
    [property: Id(8)] ChannelBuffers Buffers,
    [property: Id(9)] int ReservationTtlSeconds,
    [property: Id(10)] int LowStockThreshold,
    [property: Id(11)] Notifications.NotificationTemplate[]? NotificationTemplates = null)
{
    public const int DefaultReservationTtlSeconds = 900;
    public const int DefaultLowStockThreshold = 5;
}
