using System.Text.Json;

// The same body the gateway answered for GET /v1/availability/SKU-00001?channel=web-uk with --in-memory --demo
// (captured from a real run: 288 bytes). It is parsed once and serialised on every request, so the baseline
// also pays for writing JSON, with the same headers (application/json; charset=utf-8, chunked) as the gateway.
const string Captured = """{"sku":"SKU-00001","channel":"web-uk","available":75,"status":"in_stock","backorderable":0,"preorderable":0,"locations":[{"locationId":"WH-UK-DAV","available":48},{"locationId":"ST-UK-MAN","available":12},{"locationId":"ST-UK-LDS","available":9},{"locationId":"ST-UK-GLA","available":6}]}""";

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

var body = JsonDocument.Parse(Captured).RootElement.Clone();
app.MapGet("/v1/availability/{sku}", (string sku, string? channel) => TypedResults.Ok(body));

app.Run();
