namespace Oms.Gateway.OpenApi;

/// <summary>
/// Every failure the gateway answers, in one place. Endpoints declare the kinds only their handler can produce
/// (<see cref="OpenApiEndpointExtensions.ProducesProblems{TBuilder}"/>); the kinds every endpoint of a sort can
/// produce (validation, auth, rate limit, idempotency, body limits, cluster faults) are added by
/// <see cref="ContractOperationTransformer"/> from the endpoint's own metadata.
/// </summary>
public static class ProblemKinds
{
    public static readonly ProblemKind Validation = new("validation_failed", 400, ProblemCodes.ValidationFailed,
        "a path, query, header or body value is not valid; `errors` names every field at fault",
        """{"status": 400, "title": "The request is not valid", "detail": "quantity: must be between 0 and 1000000", "code": "validation_failed", "errors": {"quantity": ["must be between 0 and 1000000"]}}""");

    public static readonly ProblemKind Unauthorized = new("unauthorized", 401, ProblemCodes.Unauthorized,
        "no `X-Api-Key` header, or a key that is not known",
        """{"status": 401, "title": "Unauthorized", "detail": "Send a valid X-Api-Key header.", "code": "unauthorized"}""");

    public static readonly ProblemKind BadSignature = new("bad_signature", 401, ProblemCodes.Unauthorized,
        "the Standard Webhooks headers are missing or malformed, `webhook-timestamp` is more than 5 minutes from now, or no signature matches a secret of the sender (an unknown sender included)",
        """{"status": 401, "title": "Unauthorized", "detail": "The signature does not match a secret of this carrier.", "code": "unauthorized"}""");

    public static readonly ProblemKind Forbidden = new("forbidden", 403, ProblemCodes.Forbidden,
        "the key lacks the scope this operation needs",
        """{"status": 403, "title": "Forbidden", "detail": "This key lacks the 'cart' scope.", "code": "forbidden"}""");

    public static readonly ProblemKind NotFound = new("not_found", 404, ProblemCodes.NotFound,
        "an id in the path or body names nothing known (`field` says which)",
        """{"status": 404, "title": "Not found", "detail": "channel 'web-xx' is not known", "code": "not_found", "field": "channel"}""");

    public static readonly ProblemKind InsufficientStock = new("insufficient_stock", 409, ProblemCodes.InsufficientStock,
        "not enough sellable stock: nothing changed (a cart keeps its previous hold); `available` and `lines` say what could be had",
        """{"status": 409, "title": "Insufficient stock", "detail": "only 3 of 5 'SKU-00001' available", "code": "insufficient_stock", "available": 3, "lines": [{"sku": "SKU-00001", "requested": 5, "available": 3}]}""");

    public static readonly ProblemKind InvalidState = new("invalid_state", 409, ProblemCodes.InvalidState,
        "not allowed in the current state (e.g. cancelling after shipment, packing before picking)",
        """{"status": 409, "title": "Not allowed in the current state", "detail": "order 'ord-1' is shipped", "code": "invalid_state", "orderStatus": "shipped"}""");

    public static readonly ProblemKind Conflict = new("conflict", 409, ProblemCodes.Conflict,
        "the id is already used by a different request (an order id, a cart of another channel)",
        """{"status": 409, "title": "Conflict", "detail": "order 'ord-1' already exists with a different request", "code": "conflict"}""");

    public static readonly ProblemKind IdempotencyInProgress = new("idempotency_in_progress", 409, ProblemCodes.Conflict,
        "a request with this `Idempotency-Key` is still being processed: retry later",
        """{"status": 409, "title": "Conflict", "detail": "A request with this Idempotency-Key is still being processed.", "code": "conflict"}""");

    public static readonly ProblemKind IdempotencyMismatch = new("idempotency_mismatch", 422, ProblemCodes.Conflict,
        "this `Idempotency-Key` was used with a different request",
        """{"status": 422, "title": "Conflict", "detail": "This Idempotency-Key was used with a different request.", "code": "conflict"}""");

    public static readonly ProblemKind PayloadTooLarge = new("payload_too_large", 413, ProblemCodes.PayloadTooLarge,
        "the body is larger than 32 MB",
        """{"status": 413, "title": "Payload too large", "detail": "The request body is larger than 32 MB.", "code": "payload_too_large"}""");

    public static readonly ProblemKind UnsupportedMediaType = new("unsupported_media_type", 415, ProblemCodes.UnsupportedMediaType,
        "the body is not `application/json`",
        """{"status": 415, "title": "Unsupported media type", "detail": "Send application/json.", "code": "unsupported_media_type"}""");

    public static readonly ProblemKind RateLimited = new("rate_limited", 429, ProblemCodes.RateLimited,
        "the key is over its rate: retry after `Retry-After` seconds",
        """{"status": 429, "title": "Too many requests", "detail": "This API key is over its rate limit.", "code": "rate_limited"}""");

    public static readonly ProblemKind Unavailable = new("unavailable", 503, ProblemCodes.Unavailable,
        "the cluster could not answer in time (a silo down or restarting): retry after `Retry-After` seconds",
        """{"status": 503, "title": "The cluster is unavailable", "detail": "Try again shortly.", "code": "unavailable"}""");

    public static readonly ProblemKind[] All =
    [
        Validation, Unauthorized, BadSignature, Forbidden, NotFound, InsufficientStock, InvalidState, Conflict, IdempotencyInProgress,
        IdempotencyMismatch, PayloadTooLarge, UnsupportedMediaType, RateLimited, Unavailable,
    ];

    /// <summary>Every code the gateway can put in a problem's <c>code</c>: the enum of the Problem schema.</summary>
    public static readonly string[] AllCodes =
    [
        ProblemCodes.ValidationFailed, ProblemCodes.NotFound, ProblemCodes.InsufficientStock, ProblemCodes.Conflict,
        ProblemCodes.InvalidState, ProblemCodes.Unauthorized, ProblemCodes.Forbidden, ProblemCodes.RateLimited,
        ProblemCodes.PayloadTooLarge, ProblemCodes.UnsupportedMediaType, ProblemCodes.MethodNotAllowed,
        ProblemCodes.Unavailable, ProblemCodes.Internal,
    ];
}
