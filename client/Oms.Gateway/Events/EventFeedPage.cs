namespace Oms.Gateway.Events;

/// <summary>A page of the pull feed and the cursor to ask with next (the same cursor again when nothing was new).</summary>
public sealed record EventFeedPage(EventItem[] Events, string Next);
