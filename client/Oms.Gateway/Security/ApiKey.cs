namespace Oms.Gateway.Security;

/// <summary>A key from configuration (<c>Oms:Auth:Keys:N</c>). The gateway keeps only its hash once started.</summary>
public sealed class ApiKey
{
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public string[] Scopes { get; set; } = [];

    /// <summary>Requests per second allowed to this key (token bucket); 0 = no limit.</summary>
    public int PermitsPerSecond { get; set; }
}
