using Microsoft.AspNetCore.Mvc;

namespace Oms.Gateway.Errors;

/// <summary>RFC 9457 answers with the stable <c>code</c> extension.</summary>
public static class Problems
{
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid",
            Detail = detail ?? string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
            Extensions = { ["code"] = ProblemCodes.ValidationFailed },
        });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string field, string detail) =>
        Create(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "Not found", detail, new() { ["field"] = field });

    public static ProblemHttpResult Conflict(string detail, int status = StatusCodes.Status409Conflict) =>
        Create(status, ProblemCodes.Conflict, "Conflict", detail);

    public static ProblemHttpResult Create(int status, string code, string title, string detail, Dictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        foreach (var (key, value) in extensions ?? []) problem.Extensions[key] = value;
        return TypedResults.Problem(problem);
    }
}
