namespace Oms.GrainInterfaces.Reference;

[GenerateSerializer, Alias("oms.LocationType")]
public enum LocationType
{
    Warehouse,
    Hub,
    Store,
    Dsv,
}
