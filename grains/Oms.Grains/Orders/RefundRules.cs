using Oms.GrainInterfaces.Orders;

namespace Oms.Grains.Orders;

/// <summary>The brand's refund policy, pure.</summary>
public static class RefundRules
{
    /// <summary>Why a line may not be returned now; null when it may.</summary>
    public static string? Refuse(RefundPolicy policy, DateTimeOffset? handedOverAt, DateTimeOffset now, string? category)
    {
        if (category is not null && policy.NonReturnableCategories.Contains(category, StringComparer.OrdinalIgnoreCase))
            return $"category '{category}' is not returnable";
        if (handedOverAt is null) return "nothing of this line has reached the customer yet";
        if (now > handedOverAt.Value.AddDays(policy.WindowDays))
            return $"the {policy.WindowDays}-day return window closed on {handedOverAt.Value.AddDays(policy.WindowDays):yyyy-MM-dd}";
        return null;
    }

    /// <summary>
    /// Refund for received units: resellable units at their price less the restocking fee; damaged units at the
    /// policy's damaged percentage (no fee on them). Amounts are rounded to cents, half away from zero.
    /// </summary>
    public static (decimal Refund, decimal Fee) Quote(RefundPolicy policy, IEnumerable<(decimal UnitPrice, int Resellable, int Damaged)> lines)
    {
        decimal refund = 0, fee = 0;
        foreach (var (price, resellable, damaged) in lines)
        {
            var resellableValue = price * resellable;
            var lineFee = resellableValue * policy.RestockingFeePercent / 100m;
            fee += lineFee;
            refund += resellableValue - lineFee + price * damaged * policy.DamagedRefundPercent / 100m;
        }

        return (Math.Round(refund, 2, MidpointRounding.AwayFromZero), Math.Round(fee, 2, MidpointRounding.AwayFromZero));
    }
}
