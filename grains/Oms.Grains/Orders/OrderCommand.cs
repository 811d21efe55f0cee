namespace Oms.Grains.Orders;

/// <summary>Order-level commands, allowed only from the statuses <see cref="OrderRules.Allows"/> lists.</summary>
public enum OrderCommand
{
    Approve,
    Reject,
    Cancel,
    Return,
}
