namespace Oms.Gateway.Errors;

/// <summary>The stable machine codes of API.md.</summary>
public static class ProblemCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string NotFound = "not_found";
    public const string InsufficientStock = "insufficient_stock";
    public const string Conflict = "conflict";
    public const string InvalidState = "invalid_state";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string Unavailable = "unavailable";
    public const string Internal = "internal_error";

    public static string ForStatus(int status) => status switch
    {
        400 or 422 => ValidationFailed,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        409 => Conflict,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        429 => RateLimited,
        503 => Unavailable,
        _ => status >= 500 ? Internal : ValidationFailed,
    };
}
