namespace Oms.GrainInterfaces.Carriers;

/// <summary>Where a carrier says a shipment is (<c>POST /v1/carriers/{carrier}/tracking</c>).</summary>
[GenerateSerializer, Alias("oms.TrackingStatus")]
public enum TrackingStatus
{
    InTransit,
    OutForDelivery,
    Delivered,
    Exception,
}
