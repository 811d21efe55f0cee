using Oms.GrainInterfaces.Inventory;
using Oms.Grains.Storage;

namespace Oms.Grains.Inventory;

/// <summary>A cart hold on this location × SKU.</summary>
[GenerateSerializer, Immutable, Alias("oms.Hold")]
public sealed record Hold([property: Id(0)] int Quantity, [property: Id(1)] DateTimeOffset ExpiresAt);

/// <summary>
/// Units committed to a fulfilment (allocation id = fulfilment id). <see cref="ConfirmBy"/> is set while the
/// allocation is provisional: the order has not yet confirmed that it persisted it (docs/decisions/0006).
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.Allocation")]
public sealed record Allocation(
    [property: Id(0)] int Quantity,
    [property: Id(1)] string Token,
    [property: Id(2)] DateTimeOffset? ConfirmBy,
    [property: Id(3)] HeldUnits? FromHold = null);

/// <summary>Units a provisional allocation took from a cart hold: they go back to it if the allocation is undone.</summary>
[GenerateSerializer, Immutable, Alias("oms.HeldUnits")]
public sealed record HeldUnits(
    [property: Id(0)] string ReservationId,
    [property: Id(1)] int Quantity,
    [property: Id(2)] DateTimeOffset ExpiresAt);

/// <summary>
/// The answer to a hold change. <see cref="Available"/> is the most this reservation could hold right now;
/// <see cref="Held"/> what it holds after the call.
/// </summary>
public sealed record HoldOutcome(bool Ok, int Available, int Held);

public enum FeedOutcome
{
    Applied,
    /// <summary>Same asOf and same content as what is stored: a harmless replay.</summary>
    Replayed,
    /// <summary>Older than what is stored, or same asOf with other content: ignored.</summary>
    Stale,
}

/// <summary>
/// Persisted state of one location × SKU and the pure rules that change it. Collections stay null while
/// empty: most of the millions of location × SKU records never hold a reason code or an inbound line.
/// <para>
/// Cart holds are the record's detached items (docs/decisions/0009): durable storage keeps each hold as its own
/// row and writes only the holds a batch changed, so a write costs the same at 100 or 50,000 live holds. Every
/// change to <see cref="Holds"/> goes through <see cref="PutHold"/>, which records it and keeps
/// <see cref="Reserved"/> as a running sum.
/// </para>
/// </summary>
[GenerateSerializer, Alias("oms.StockRecord")]
public sealed class StockRecord : IDetachedItemsState
{
    /// <summary>How many adjustment event ids are remembered per location × SKU for de-duplication.</summary>
    public const int RememberedEventIds = 1000;

    [Id(0)] public int OnHand { get; set; }
    [Id(1)] public int SafetyStock { get; set; }
    [Id(2)] public Dictionary<string, int>? Unavailable { get; set; }
    [Id(5)] public List<InboundLine>? Inbound { get; set; }
    [Id(6)] public DateTimeOffset? AsOf { get; set; }
    [Id(7)] public long Version { get; set; }
    [Id(8)] public List<string>? RecentEventIds { get; set; }

    /// <summary>
    /// Live cart holds by reservation id; Reserved is their sum. Stored in the record by whole-state storage
    /// (memory), and as detached items by group commit, whose row leaves this null and counts them in
    /// <see cref="StoredHolds"/>. Change it only through <see cref="PutHold"/>.
    /// </summary>
    [Id(9)] public Dictionary<string, Hold>? Holds { get; set; }

    /// <summary>Allocations by fulfilment id. Allocated is their sum.</summary>
    [Id(10)] public Dictionary<string, Allocation>? Allocations { get; set; }

    /// <summary>In a row written without its holds: how many holds are stored beside it.</summary>
    [Id(11)] public int StoredHolds { get; set; }

    /// <summary>Reservation ids whose hold changed since the record was last copied for a write.</summary>
    [NonSerialized] private HashSet<string>? _changedHolds;

    /// <summary>Sum of the holds, kept by <see cref="PutHold"/>; null until first asked after a load.</summary>
    [NonSerialized] private int? _reserved;

    public int Reserved => _reserved ??= Holds is null ? 0 : Holds.Values.Sum(h => h.Quantity);

    /// <summary>Sets (or with null removes) one hold: the only way holds change.</summary>
    private void PutHold(string reservationId, Hold? hold)
    {
        var before = Holds?.GetValueOrDefault(reservationId)?.Quantity ?? 0;
        if (hold is null)
        {
            if (Holds?.Remove(reservationId) != true) return;
            if (Holds.Count == 0) Holds = null;
        }
        else
        {
            (Holds ??= [])[reservationId] = hold;
        }

        _reserved = Reserved - before + (hold?.Quantity ?? 0);
        (_changedHolds ??= []).Add(reservationId);
    }

    public int Allocated => Allocations is null ? 0 : Allocations.Values.Sum(a => a.Quantity);

    /// <summary>The next hold expiry or provisional-allocation deadline: when the grain has something to do.</summary>
    public DateTimeOffset? NextExpiry => ExpirySchedule.Earliest(NextHoldExpiry, NextDeadline);

    /// <summary>When the first live hold expires; null without holds.</summary>
    public DateTimeOffset? NextHoldExpiry => Holds is null || Holds.Count == 0 ? null : Holds.Values.Min(h => h.ExpiresAt);

    /// <summary>The earliest deadline of a provisional (unconfirmed) allocation; null when none is provisional.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = null;
            if (Allocations is null) return next;
            foreach (var a in Allocations.Values)
            {
                if (a.ConfirmBy is { } due && (next is null || due < next)) next = due;
            }

            return next;
        }
    }

    /// <summary>
    /// Sets allocation <paramref name="id"/> to <paramref name="quantity"/> provisional units under
    /// <paramref name="token"/>, taking first from the cart hold <paramref name="fromHold"/>. Needs the extra units
    /// free after <paramref name="keepBack"/>; counts as free what this allocation and that hold already have.
    /// Returns whether it holds, and the most it could have.
    /// </summary>
    public (bool Ok, int Available) Allocate(string id, string token, int quantity, DateTimeOffset confirmBy, int keepBack, string? fromHold)
    {
        var existing = Allocations?.GetValueOrDefault(id);
        if (existing is not null && existing.Token == token && existing.Quantity == quantity) return (true, quantity);

        var own = existing?.Quantity ?? 0;
        var hold = fromHold is null ? null : Holds?.GetValueOrDefault(fromHold);
        var held = hold?.Quantity ?? 0;
        // A hold was already counted against the channel's buffer when it was taken.
        var available = own + held + Math.Max(0, Atp - keepBack);
        if (quantity > available) return (false, available);

        var fromCart = existing?.FromHold;
        if (hold is not null)
        {
            var taken = Math.Min(held, quantity);
            PutHold(fromHold!, taken == held ? null : hold with { Quantity = held - taken });
            if (taken > 0) fromCart = new HeldUnits(fromHold!, (fromCart is not null && fromCart.ReservationId == fromHold ? fromCart.Quantity : 0) + taken, hold.ExpiresAt);
        }

        (Allocations ??= [])[id] = new Allocation(quantity, token, confirmBy, fromCart);
        Version++;
        return (true, available);
    }

    /// <summary>
    /// Makes a provisional allocation final, if it is still the one <paramref name="token"/> made. Quantities do
    /// not change, so neither does the version: the grain need not write for it (an unpersisted confirmation is
    /// only asked for again).
    /// </summary>
    public bool Confirm(string id, string token)
    {
        if (Allocations?.GetValueOrDefault(id) is not { ConfirmBy: not null } a || a.Token != token) return false;
        Allocations[id] = a with { ConfirmBy = null };
        return true;
    }

    /// <summary>Settles a provisional allocation with what its order says it should be (0 releases it).</summary>
    public bool Resolve(string id, string token, int quantity)
    {
        if (Allocations?.GetValueOrDefault(id) is not { ConfirmBy: not null } a || a.Token != token) return false;
        if (quantity <= 0) Undo(id, a);
        else Allocations[id] = new Allocation(Math.Min(quantity, a.Quantity), token, null);
        Version++;
        return true;
    }

    /// <summary>
    /// Lowers an allocation to <paramref name="quantity"/>; never raises one. False when nothing changed. A
    /// provisional allocation released entirely (its order was refused or never recorded) gives the units it took
    /// from a cart hold back to that hold.
    /// </summary>
    public bool LowerAllocation(string id, int quantity)
    {
        if (Allocations?.GetValueOrDefault(id) is not { } a || a.Quantity <= quantity) return false;
        if (quantity <= 0) Undo(id, a);
        else Allocations[id] = a with { Quantity = quantity };
        Version++;
        return true;
    }

    private void Undo(string id, Allocation a)
    {
        RemoveAllocation(id);
        if (a is not { ConfirmBy: not null, FromHold: { } cart }) return;
        var current = Holds?.GetValueOrDefault(cart.ReservationId);
        PutHold(cart.ReservationId, new Hold(
            (current?.Quantity ?? 0) + Math.Min(cart.Quantity, a.Quantity),
            current is null || current.ExpiresAt < cart.ExpiresAt ? cart.ExpiresAt : current.ExpiresAt));
    }

    /// <summary>
    /// Applies a movement once per event id. An allocation never goes below zero (the units it no longer has were
    /// released before); on hand never below zero; unavailable per reason never below zero.
    /// </summary>
    public bool Move(StockMovement movement)
    {
        if (RecentEventIds?.Contains(movement.EventId) == true) return false;
        if (movement.AllocationId is { } id && movement.AllocationDelta != 0 && Allocations?.GetValueOrDefault(id) is { } a)
        {
            var left = Math.Max(0, a.Quantity + movement.AllocationDelta);
            if (left == 0) RemoveAllocation(id);
            else Allocations[id] = a with { Quantity = left };
        }

        OnHand = (int)Math.Clamp((long)OnHand + movement.OnHandDelta, 0, int.MaxValue);
        if (movement.UnavailableReason is { } reason && movement.UnavailableDelta != 0)
        {
            Unavailable ??= [];
            var units = Math.Max(0, Unavailable.GetValueOrDefault(reason) + movement.UnavailableDelta);
            if (units == 0) Unavailable.Remove(reason);
            else Unavailable[reason] = units;
            if (Unavailable.Count == 0) Unavailable = null;
        }

        Remember(movement.EventId);
        Version++;
        return true;
    }

    /// <summary>Provisional allocations whose deadline has passed: the grain asks their orders.</summary>
    public List<(string Id, Allocation Allocation)> DueAllocations(DateTimeOffset now) =>
        Allocations is null ? [] : [.. Allocations.Where(a => a.Value.ConfirmBy <= now).Select(a => (a.Key, a.Value))];

    /// <summary>Moves a provisional allocation's deadline (its order could not be asked).</summary>
    public void Postpone(string id, DateTimeOffset confirmBy)
    {
        if (Allocations?.GetValueOrDefault(id) is { ConfirmBy: not null } a) Allocations[id] = a with { ConfirmBy = confirmBy };
    }

    private void RemoveAllocation(string id)
    {
        Allocations!.Remove(id);
        if (Allocations.Count == 0) Allocations = null;
    }

    /// <summary>
    /// Sets the hold <paramref name="reservationId"/> to <paramref name="quantity"/> units (0 releases it). Raising it
    /// needs the extra units free after <paramref name="keepBack"/> (the channel's buffer at this location); lowering
    /// always succeeds. Setting the same quantity again only moves the expiry: a retried request holds once.
    /// </summary>
    public HoldOutcome SetHold(string reservationId, int quantity, DateTimeOffset expiresAt, int keepBack)
    {
        var current = Holds?.GetValueOrDefault(reservationId)?.Quantity ?? 0;
        var free = Math.Max(0, Atp - keepBack);
        if (quantity > current && quantity - current > free) return new HoldOutcome(false, current + free, current);

        if (quantity == 0)
        {
            if (Holds?.ContainsKey(reservationId) != true) return new HoldOutcome(true, current + free, 0);
            PutHold(reservationId, null);
        }
        else
        {
            if (current == quantity && Holds![reservationId].ExpiresAt == expiresAt) return new HoldOutcome(true, current + free, quantity);
            PutHold(reservationId, new Hold(quantity, expiresAt));
        }

        Version++;
        return new HoldOutcome(true, Math.Max(0, Atp - keepBack) + quantity, quantity);
    }

    /// <summary>Releases every hold whose expiry has passed; returns the units released.</summary>
    public int ExpireHolds(DateTimeOffset now)
    {
        if (Holds is null) return 0;
        var expired = Holds.Where(h => h.Value.ExpiresAt <= now).ToList();
        if (expired.Count == 0) return 0;
        foreach (var (id, _) in expired) PutHold(id, null);
        Version++;
        return expired.Sum(h => h.Value.Quantity);
    }

    /// <summary>
    /// A copy for storage, which serialises it while group commit keeps changing the working record. The copy takes
    /// over the record of changed holds: the next copy starts a new one.
    /// </summary>
    public StockRecord Clone()
    {
        var copy = CopyWith(Holds is null ? null : new Dictionary<string, Hold>(Holds));
        copy._reserved = _reserved;
        copy._changedHolds = _changedHolds;
        _changedHolds = null;
        return copy;
    }

    public int DetachedItemCount => Holds?.Count ?? StoredHolds;

    public object WithoutDetachedItems()
    {
        var row = CopyWith(null);
        row.StoredHolds = Holds?.Count ?? 0;
        return row;
    }

    public IReadOnlyList<KeyValuePair<string, object?>> TakeChangedItems()
    {
        if (_changedHolds is null) return [];
        var changes = _changedHolds.Select(id => KeyValuePair.Create(id, (object?)Holds?.GetValueOrDefault(id))).ToList();
        _changedHolds = null;
        return changes;
    }

    /// <summary>
    /// Holds read back from their rows. A record written before holds were detached carries them in its row: they
    /// count as changed, so the next write stores them as rows.
    /// </summary>
    public void AttachItems(IEnumerable<KeyValuePair<string, object>> items)
    {
        if (Holds is not null) _changedHolds = [.. Holds.Keys];
        foreach (var (id, item) in items) (Holds ??= [])[id] = (Hold)item;
        StoredHolds = 0;
        _reserved = null;
    }

    private StockRecord CopyWith(Dictionary<string, Hold>? holds) => new()
    {
        OnHand = OnHand,
        SafetyStock = SafetyStock,
        Unavailable = Unavailable is null ? null : new Dictionary<string, int>(Unavailable),
        Allocations = Allocations is null ? null : new Dictionary<string, Allocation>(Allocations),
        Inbound = Inbound is null ? null : [.. Inbound],
        AsOf = AsOf,
        Version = Version,
        RecentEventIds = RecentEventIds is null ? null : [.. RecentEventIds],
        Holds = holds,
    };

    public int UnavailableTotal => Unavailable is null ? 0 : Unavailable.Values.Sum();

    public int InboundTotal => Inbound is null ? 0 : Inbound.Sum(l => l.Quantity);

    public int Atp => Inventory.Atp.Compute(OnHand, Reserved, Allocated, UnavailableTotal, SafetyStock);

    public FeedOutcome ApplyAbsolute(AbsoluteLevel level)
    {
        if (AsOf is { } stored)
        {
            if (level.AsOf < stored) return FeedOutcome.Stale;
            if (level.AsOf == stored) return SameContent(level) ? FeedOutcome.Replayed : FeedOutcome.Stale;
        }

        OnHand = level.OnHand;
        if (level.SafetyStock is { } safety) SafetyStock = safety;
        if (level.Unavailable is { } unavailable)
            Unavailable = unavailable.Count == 0 ? null : unavailable.Where(kv => kv.Value > 0).ToDictionary();
        AsOf = level.AsOf;
        Version++;
        return FeedOutcome.Applied;
    }

    /// <summary>Applies a movement once per event id. On-hand never goes below zero: a feed reporting more
    /// units gone than are on hand leaves zero, it does not invent negative stock.</summary>
    public bool Adjust(Adjustment adjustment)
    {
        if (RecentEventIds?.Contains(adjustment.EventId) == true) return false;

        OnHand = (int)Math.Clamp((long)OnHand + adjustment.Delta, 0, int.MaxValue);
        Remember(adjustment.EventId);
        Version++;
        return true;
    }

    private void Remember(string eventId)
    {
        RecentEventIds ??= [];
        if (RecentEventIds.Count >= RememberedEventIds) RecentEventIds.RemoveAt(0);
        RecentEventIds.Add(eventId);
    }

    public void SetInbound(InboundLine line)
    {
        Inbound ??= [];
        Inbound.RemoveAll(l => l.Reference == line.Reference);
        if (line.Quantity > 0) Inbound.Add(line);
        if (Inbound.Count == 0) Inbound = null;
        Version++;
    }

    public InventoryLevel ToLevel(string locationId, string sku) => new(
        locationId,
        sku,
        OnHand,
        Reserved,
        Allocated,
        UnavailableTotal,
        Unavailable is null ? EmptyReasons : new Dictionary<string, int>(Unavailable),
        SafetyStock,
        InboundTotal,
        Inbound is null ? [] : [.. Inbound.OrderBy(l => l.Eta)],
        Atp,
        AsOf,
        Version);

    private static readonly Dictionary<string, int> EmptyReasons = [];

    private bool SameContent(AbsoluteLevel level) =>
        level.OnHand == OnHand
        && (level.SafetyStock is null || level.SafetyStock == SafetyStock)
        && (level.Unavailable is null || SameReasons(level.Unavailable));

    private bool SameReasons(Dictionary<string, int> other)
    {
        var mine = Unavailable ?? EmptyReasons;
        var theirs = other.Where(kv => kv.Value > 0).ToDictionary();
        return mine.Count == theirs.Count && mine.All(kv => theirs.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }
}
