namespace Oms.GrainInterfaces.Notifications;

/// <summary>
/// A sales channel's own wording for one notification kind on one channel (docs/decisions/0019). <see cref="Kind"/>
/// is a notification kind name (<c>order_confirmation</c>, <c>shipped</c>, ...); <see cref="Text"/> is the SMS/push
/// text or the e-mail's plain-text part; e-mail also has <see cref="Subject"/> and <see cref="Html"/> (values are
/// HTML-encoded there). Placeholders are <c>{{name}}</c>, checked when the channel is saved.
/// </summary>
[GenerateSerializer, Immutable, Alias("oms.NotificationTemplate")]
public sealed record NotificationTemplate(
    [property: Id(0)] string Kind,
    [property: Id(1)] NotificationChannel Channel,
    [property: Id(2)] string? Subject,
    [property: Id(3)] string Text,
    [property: Id(4)] string? Html);
