namespace Oms.Grains.Storage;

/// <summary>
/// A grain state with one keyed collection kept outside its row (docs/decisions/0009): the row that every write
/// replaces stores the state without that collection, and each item is a row of <c>OmsStateItem</c> that a write
/// touches only when the item changed. A write then costs O(changes), not O(items): a hot inventory record holding
/// 50,000 cart holds rewrites a few hundred bytes per batch instead of all of them.
/// <para>
/// Only <see cref="GroupCommitGrainStorage"/> splits the state; every other storage (memory, in tests and the
/// in-memory mode) stores it whole, items included.
/// </para>
/// </summary>
public interface IDetachedItemsState
{
    /// <summary>How many items the state holds outside its row; a read looks for them only when this is not zero.</summary>
    int DetachedItemCount { get; }

    /// <summary>A copy of this state without the detached items: what the row stores. Same type as the state.</summary>
    object WithoutDetachedItems();

    /// <summary>
    /// The items changed since the state was last taken for a write: the item, or null for one removed. Taking them
    /// clears the record of changes. Called in the grain's turn, on the copy being written.
    /// </summary>
    IReadOnlyList<KeyValuePair<string, object?>> TakeChangedItems();

    /// <summary>Puts the stored items back after the row was read.</summary>
    void AttachItems(IEnumerable<KeyValuePair<string, object>> items);
}
