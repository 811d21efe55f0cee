namespace Oms.GrainInterfaces.Webhooks;

/// <summary>
/// Where one delivery stands: <see cref="Pending"/> (not attempted yet), <see cref="Failed"/> (attempted, another
/// attempt is scheduled), <see cref="Succeeded"/> (a 2xx), <see cref="Dead"/> (the schedule ran out: a dead letter).
/// </summary>
public enum DeliveryStatus
{
    Pending,
    Failed,
    Succeeded,
    Dead,
}
