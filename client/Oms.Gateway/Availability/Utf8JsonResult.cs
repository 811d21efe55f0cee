namespace Oms.Gateway.Availability;

/// <summary>A 200 whose JSON body is already serialised (a kept answer): written as is, with its length.</summary>
public sealed class Utf8JsonResult(byte[] json) : IResult
{
    public const string ContentType = "application/json; charset=utf-8";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = json.Length;
        return response.Body.WriteAsync(json).AsTask();
    }
}
