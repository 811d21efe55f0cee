namespace Oms.GrainInterfaces;

/// <summary>
/// A grain call that may be sent again when the cluster refused it (a silo stopping or unreachable): repeating it has
/// the effect of making it once, because it sets a state rather than changing one (a cart line's quantity), is keyed by
/// its own identity (an order placed under its orderId), or only reads. The gateway's retry filter repeats only these.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RepeatableAttribute : Attribute;
