using System.Globalization;
using Oms.GrainInterfaces;

namespace Oms.Gateway.Events;

/// <summary>
/// The pull feed's cursor: how far the reader is in each event-log partition, written <c>p0.p1.p2.p3</c>. Positions
/// only grow, so a reader that passes back the <c>next</c> it got misses nothing and sees nothing twice.
/// </summary>
public static class EventCursor
{
    public static long[] Start => new long[OmsNames.EventLogPartitions];

    public static string Format(IReadOnlyList<long> positions) => string.Join('.', positions.Select(p => p.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The positions of a cursor; the start for none; null when it is not a cursor of this log.</summary>
    public static long[]? Parse(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return Start;
        if (cursor.Length > 200) return null;
        var parts = cursor.Split('.');
        if (parts.Length != OmsNames.EventLogPartitions) return null;
        var positions = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out positions[i])) return null;
        }

        return positions;
    }
}
