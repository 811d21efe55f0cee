namespace Oms.Grains.Webhooks;

public enum DeliveryVerdict
{
    Succeeded,
    Retry,
    Gone,
}
