namespace Oms.Grains;

/// <summary>
/// Grain references by key without Orleans' per-call resolution: <c>GetGrain&lt;T&gt;(key)</c> in 10.4.2 resolves the
/// interface type (attribute reflection over the interface) and then its grain type on every call, 1.6–5 µs each
/// (bench/grain-memory measures both). Here the first call per interface resolves them through Orleans itself and
/// every later call builds the <see cref="GrainId"/> and asks the reference activator directly.
/// </summary>
public static class GrainRefs
{
    public static T Ref<T>(this IGrainFactory factory, string key) where T : IGrainWithStringKey
    {
        var resolved = Types<T>.Resolved ??= Resolve(factory.GetGrain<T>(key));
        return (T)factory.GetGrain(GrainId.Create(resolved.Grain, key), resolved.Interface);
    }

    public static T Ref<T>(this IGrainFactory factory, long key) where T : IGrainWithIntegerKey
    {
        var resolved = Types<T>.Resolved ??= Resolve(factory.GetGrain<T>(key));
        return (T)factory.GetGrain(GrainId.Create(resolved.Grain, GrainIdKeyExtensions.CreateIntegerKey(key)), resolved.Interface);
    }

    private static Resolution Resolve(IAddressable reference) =>
        new(reference.GetGrainId().Type, ((GrainReference)reference).InterfaceType);

    /// <summary>One per interface; the grain type an interface maps to is the same for every silo and client of a process.</summary>
    private static class Types<T>
    {
        public static Resolution? Resolved;
    }

    private sealed record Resolution(GrainType Grain, GrainInterfaceType Interface);
}
