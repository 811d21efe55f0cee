namespace Oms.GrainInterfaces;

/// <summary>
/// The one place grain keys are composed and split. IDs are limited to [A-Za-z0-9._:-], so '|' can never
/// occur inside one and is a safe separator.
/// </summary>
public static class InventoryKey
{
    private const char Separator = '|';

    public static string For(string locationId, string sku) => string.Concat(locationId, "|", sku);

    public static (string LocationId, string Sku) Parse(string key)
    {
        var at = key.IndexOf(Separator);
        if (at <= 0 || at == key.Length - 1)
            throw new ArgumentException($"'{key}' is not an inventory key", nameof(key));
        return (key[..at], key[(at + 1)..]);
    }
}

/// <summary>Keys of singleton grains.</summary>
public static class SingletonKeys
{
    public const string Catalog = "catalog";
}
