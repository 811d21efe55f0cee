using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.GrainInterfaces.Events;

/// <summary>
/// The payload of <c>fulfilment.*</c> events: the fulfilment after the change (location, lines, carrier and tracking
/// once shipped, pickup code once ready) with the order's channel and customer, so a store system or a notification
/// service needs no second call.
/// </summary>
public sealed record FulfilmentEventData(string OrderId, string Channel, Customer Customer, FulfilmentView Fulfilment);
