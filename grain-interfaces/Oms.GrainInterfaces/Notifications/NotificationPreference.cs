namespace Oms.GrainInterfaces.Notifications;

/// <summary>
/// The customer's choice for order notifications: the preferred channel (e-mail when not given or when the
/// preferred one cannot reach them) and an opt-out, which sends nothing at all.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.NotificationPreference")]
public sealed record NotificationPreference(
    [property: Id(0)] NotificationChannel? Channel,
    [property: Id(1)] bool OptOut);
