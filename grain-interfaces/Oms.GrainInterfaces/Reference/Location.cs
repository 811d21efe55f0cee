namespace Oms.GrainInterfaces.Reference;

/// <summary>A stock location: warehouse, hub, store or drop-ship vendor.</summary>
[GenerateSerializer, Immutable, Alias("oms.Location")]
public sealed record Location(
    [property: Id(0)] string LocationId,
    [property: Id(1)] string Name,
    [property: Id(2)] LocationType Type,
    [property: Id(3)] double Latitude,
    [property: Id(4)] double Longitude,
    [property: Id(5)] string? Region,
    [property: Id(6)] string[] Tags,
    [property: Id(7)] int Priority,
    [property: Id(8)] int DailyCapacity,
    [property: Id(9)] double TurnaroundHours,
    [property: Id(10)] bool Offline,
    [property: Id(11)] double CostPerUnit = 0);
