using Oms.GrainInterfaces.Orders;

namespace Oms.GrainInterfaces.Events;

/// <summary>The payload of <c>return.received</c>: the return as checked, with its refund and restocking fee.</summary>
public sealed record ReturnEventData(string OrderId, string Channel, ReturnView Return);
