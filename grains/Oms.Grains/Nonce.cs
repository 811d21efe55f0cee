using System.Security.Cryptography;

namespace Oms.Grains;

/// <summary>
/// A short random value (48 bits, hex) that tells one write's ids apart from another's: an event id's nonce, an
/// allocation's token. It only has to differ between the writes of one aggregate, not be secret.
/// </summary>
public static class Nonce
{
    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
}
