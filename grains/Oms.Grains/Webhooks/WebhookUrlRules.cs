using System.Net;
using System.Net.Sockets;

namespace Oms.Grains.Webhooks;

/// <summary>
/// Where a webhook may be sent, pure: http or https, and never to a private, loopback, link-local or cloud-metadata
/// address unless the operator allows the host (Oms:Webhooks:AllowedHosts). A name is checked again with the
/// addresses it resolves to at delivery time, so a name that points inside is refused too.
/// </summary>
public static class WebhookUrlRules
{
    public const int MaxLength = 2000;

    private static readonly HashSet<string> MetadataHosts = new(StringComparer.OrdinalIgnoreCase) { "metadata.google.internal", "metadata" };

    /// <summary>Null when <paramref name="url"/> may be subscribed; otherwise why not.</summary>
    public static string? CheckUrl(string? url, IReadOnlyCollection<string> allowedHosts)
    {
        if (string.IsNullOrWhiteSpace(url)) return "is required";
        if (url.Length > MaxLength) return $"must be at most {MaxLength} characters";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "must be an absolute URL";
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return "must be http or https";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "must not carry credentials";
        if (IsAllowed(uri.IdnHost, allowedHosts)) return null;
        if (MetadataHosts.Contains(uri.IdnHost) || uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return $"host '{uri.IdnHost}' is internal and not in Oms:Webhooks:AllowedHosts";
        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) ? CheckAddress(uri.IdnHost, address) : null;
    }

    /// <summary>Null when a delivery to <paramref name="host"/>, resolved to <paramref name="addresses"/>, may go.</summary>
    public static string? CheckResolved(string host, IReadOnlyCollection<IPAddress> addresses, IReadOnlyCollection<string> allowedHosts)
    {
        if (IsAllowed(host, allowedHosts)) return null;
        if (addresses.Count == 0) return $"host '{host}' did not resolve";
        return addresses.Select(a => CheckAddress(host, a)).FirstOrDefault(e => e is not null);
    }

    public static bool IsAllowed(string host, IReadOnlyCollection<string> allowedHosts) =>
        allowedHosts.Any(h => string.Equals(h.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    private static string? CheckAddress(string host, IPAddress address) =>
        IsInternal(address) ? $"host '{host}' is a private, loopback, link-local or metadata address ({address}) and not in Oms:Webhooks:AllowedHosts" : null;

    /// <summary>Private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), loopback, link-local, unspecified, multicast or metadata.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || b[0] >= 224
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] is >= 64 and <= 127);
        }

        var v6 = address.GetAddressBytes();
        return (v6[0] & 0xfe) == 0xfc // fc00::/7, which holds fd00:ec2::254
            || (v6[0] == 0xfe && (v6[1] & 0xc0) == 0x80) // fe80::/10
            || v6[0] == 0xff;
    }
}
