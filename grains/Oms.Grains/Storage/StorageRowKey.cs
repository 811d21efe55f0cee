using System.Text;

namespace Oms.Grains.Storage;

/// <summary>
/// How the Orleans ADO.NET grain storage locates a grain's row: the key columns (GrainIdN0, GrainIdN1,
/// GrainIdExtensionString), the bytes it hashes into GrainIdHash, and the state name it stores as GrainTypeString.
/// Mirrors Microsoft.Orleans.Persistence.AdoNet 10.4.2 (AdoGrainKey, internal there) so rows written in batches by
/// <see cref="GroupCommitGrainStorage"/> are the rows the provider reads; a round-trip test holds them together.
/// </summary>
public sealed record StorageRowKey(long N0, long N1, string? StringKey, byte[] HashBytes)
{
    public static StorageRowKey For(GrainId grainId)
    {
        if (grainId.TryGetGuidKey(out var guid, out var guidExt))
        {
            var bytes = guid.ToByteArray();
            return new StorageRowKey(BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8), guidExt, HashOf([.. bytes], guidExt));
        }

        if (grainId.TryGetIntegerKey(out var integer, out var intExt))
            return new StorageRowKey(0, integer, intExt, HashOf(BitConverter.GetBytes(integer), intExt));

        var key = grainId.Key.ToString();
        return new StorageRowKey(0, 0, key, HashOf(null, key));
    }

    /// <summary>The provider's state-name normalisation leaves plain names alone; generic type names are not supported here.</summary>
    public static bool IsPlainStateName(string stateName) => !stateName.Contains('`', StringComparison.Ordinal);

    private static byte[] HashOf(byte[]? key, string? extension)
    {
        byte[] bytes;
        if (key is null) bytes = Encoding.UTF8.GetBytes(extension!);
        else if (extension is null) bytes = key;
        else bytes = [.. key, .. Encoding.UTF8.GetBytes(extension)];
        if (BitConverter.IsLittleEndian) Array.Reverse(bytes);
        return bytes;
    }
}
