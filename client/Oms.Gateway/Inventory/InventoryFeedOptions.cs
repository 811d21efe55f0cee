using System.ComponentModel.DataAnnotations;
using Oms.Grains.Inventory;

namespace Oms.Gateway.Inventory;

/// <summary>Feed input rules (section <c>Oms:Inventory</c>).</summary>
public sealed class InventoryFeedOptions
{
    public const string Section = "Oms:Inventory";

    /// <summary>How far a level's <c>asOf</c> may be ahead of this server's clock (<see cref="FeedClock"/>); later ones are 400.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = FeedClock.DefaultMaxSkew;
}
