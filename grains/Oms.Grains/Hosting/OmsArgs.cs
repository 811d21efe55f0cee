namespace Oms.Grains.Hosting;

/// <summary>
/// Turns the documented command-line switches into configuration keys. Bare flags (--demo) need this:
/// the configuration command-line provider would take the next switch as their value.
/// </summary>
public static class OmsArgs
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--demo"] = "Oms:Demo",
        ["--in-memory"] = "Oms:InMemory",
        ["--cluster"] = "Oms:Cluster",
    };

    private static readonly Dictionary<string, string> Valued = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--connection"] = "Oms:ConnectionString",
        ["--data"] = "Oms:SqlitePath",
        ["--silo-port"] = "Oms:SiloPort",
        ["--gateway-port"] = "Oms:GatewayPort",
    };

    public static string[] Normalize(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.Split('=', 2)[0];
            if (Flags.TryGetValue(name, out var flag))
            {
                result.Add($"--{flag}={(arg.Contains('=') ? arg.Split('=', 2)[1] : "true")}");
            }
            else if (Valued.TryGetValue(name, out var key))
            {
                if (arg.Contains('=')) result.Add($"--{key}={arg.Split('=', 2)[1]}");
                else if (i + 1 < args.Length) result.Add($"--{key}={args[++i]}");
                else throw new ArgumentException($"{arg} needs a value");
            }
            else
            {
                result.Add(arg);
            }
        }

        return [.. result];
    }
}
