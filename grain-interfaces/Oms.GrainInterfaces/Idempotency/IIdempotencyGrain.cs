namespace Oms.GrainInterfaces.Idempotency;

[GenerateSerializer, Immutable, Alias("oms.StoredResponse")]
public sealed record StoredResponse(
    [property: Id(0)] int Status,
    [property: Id(1)] string? ContentType,
    [property: Id(2)] byte[] Body,
    [property: Id(3)] Dictionary<string, string> Headers);

[GenerateSerializer, Alias("oms.IdempotencyOutcome")]
public enum IdempotencyOutcome
{
    /// <summary>First time: the caller runs the request and completes the key.</summary>
    Proceed,
    /// <summary>Same request already answered: replay the stored response.</summary>
    Replay,
    /// <summary>The same key is in flight.</summary>
    InProgress,
    /// <summary>The key was used with another request.</summary>
    Mismatch,
}

[GenerateSerializer, Immutable, Alias("oms.IdempotencyBegin")]
public sealed record IdempotencyBegin(
    [property: Id(0)] IdempotencyOutcome Outcome,
    [property: Id(1)] StoredResponse? Response);

/// <summary>One Idempotency-Key (key = caller scope + key). Kept for at least 24 h after completion.</summary>
public interface IIdempotencyGrain : IGrainWithStringKey
{
    Task<IdempotencyBegin> BeginAsync(string requestHash);

    Task CompleteAsync(string requestHash, StoredResponse response);

    /// <summary>
    /// Replaces personal data in the kept answer (a customer's erasure; the redactions are the JSON forms of the values):
    /// a replay then answers with the pseudonym.
    /// </summary>
    Task RedactAsync(Events.Redaction[] redactions);

    /// <summary>The request failed without an answer worth keeping (a fault): let a retry run again.</summary>
    Task AbandonAsync(string requestHash);
}
