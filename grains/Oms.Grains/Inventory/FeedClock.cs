namespace Oms.Grains.Inventory;

/// <summary>
/// How far ahead of this server's clock a feed level's <c>asOf</c> may be (pure). Levels are last-writer-wins by
/// <c>asOf</c>, so one dated far in the future would win against every later real level until that date: it is
/// refused instead. The allowance covers the feeding system's clock drifting ahead of ours.
/// </summary>
public static class FeedClock
{
    public static readonly TimeSpan DefaultMaxSkew = TimeSpan.FromMinutes(5);

    public static bool IsTooFarAhead(DateTimeOffset asOf, DateTimeOffset now, TimeSpan maxSkew) => asOf - now > maxSkew;

    public static string Describe(TimeSpan maxSkew) =>
        $"is later than this server's clock by more than the allowed {maxSkew.TotalSeconds:0} s (Oms:Inventory:MaxClockSkew)";
}
