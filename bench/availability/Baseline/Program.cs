using System.Text;

// The bare ASP.NET Core app a retailer could write instead, answering the same bytes as the gateway:
// - GET /v1/availability/{sku}: the body the gateway answered for SKU-00001 / web-uk with --in-memory --demo (captured
//   from a real run: 288 bytes), written as UTF-8 bytes prepared once, with the gateway's content type. (Until
//   2026-12-03 it parsed that body once and serialised it on every request, as the gateway did; the gateway now writes
//   kept bytes too, so the baseline does the least a server can.)
// - POST /v1/availability/query: the gateway's own answers to the bench's request bodies (--canned FILE, lines of
//   "body<TAB>answer" captured by run.sh), looked up by body.
const string Captured = """{"sku":"SKU-00001","channel":"web-uk","available":75,"status":"in_stock","backorderable":0,"preorderable":0,"locations":[{"locationId":"WH-UK-DAV","available":48},{"locationId":"ST-UK-MAN","available":12},{"locationId":"ST-UK-LDS","available":9},{"locationId":"ST-UK-GLA","available":6}]}""";
const string ContentType = "application/json; charset=utf-8";

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

var body = Encoding.UTF8.GetBytes(Captured);
app.MapGet("/v1/availability/{sku}", (string sku, string? channel) => TypedResults.Bytes(body, ContentType));

var canned = new Dictionary<string, byte[]>(StringComparer.Ordinal);
if (app.Configuration["canned"] is { Length: > 0 } file)
{
    foreach (var line in File.ReadLines(file))
    {
        var tab = line.IndexOf('\t');
        if (tab > 0) canned[line[..tab]] = Encoding.UTF8.GetBytes(line[(tab + 1)..]);
    }
}

app.MapPost("/v1/availability/query", async (HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body, Encoding.UTF8);
    var text = await reader.ReadToEndAsync();
    return canned.TryGetValue(text, out var answer) ? Results.Bytes(answer, ContentType) : Results.NotFound();
});

app.Run();
