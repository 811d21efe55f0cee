using System.Text;

namespace Oms.Gateway.Tests;

/// <summary>
/// Bad input never yields a 5xx and never changes state: every case answers a 4xx problem+json with a stable
/// code (and the field at fault for validation), and the probe record's version is unchanged afterwards.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class BadInputTests(GatewayFixture fx)
{
    private const string Sku = "BAD-PROBE";
    private const string W = GatewayFixture.Warehouse;
    private static readonly string LongId = new('a', 65);

    public static TheoryData<string, string, string?, int, string, string?> Cases => new()
    {
        // method, path, body, status, code, field
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": -1, "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "onHand" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": 1000001, "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "onHand" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": 1e20, "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "onHand" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": 1.5, "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "onHand" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": "5", "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "onHand" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": 5}""", 400, "validation_failed", "asOf" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "onHand" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": 5, "asOf": "yesterday"}""", 400, "validation_failed", "asOf" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": 5, "asOf": "2026-01-01T00:00:00"}""", 400, "validation_failed", "asOf" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": 5, "safetyStock": -2, "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "safetyStock" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", """{"onHand": 5, "unavailable": {"damaged": -1}, "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "unavailable.damaged" },
        { "PUT", $"/v1/inventory/{W}/{Sku}", "{\"onHand\": 5, \"asOf\": \"2026-01-01", 400, "validation_failed", null },
        { "PUT", $"/v1/inventory/{W}/{Sku}", "[]", 400, "validation_failed", null },
        { "PUT", $"/v1/inventory/{W}/{Sku}", "null", 400, "validation_failed", null },
        { "PUT", $"/v1/inventory/{W}/{Sku}", "", 400, "validation_failed", null },
        { "PUT", $"/v1/inventory/{W}/{LongId}", """{"onHand": 5, "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "sku" },
        { "PUT", $"/v1/inventory/{W}/bad%20sku", """{"onHand": 5, "asOf": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "sku" },
        { "PUT", $"/v1/inventory/NO-LOC/{Sku}", """{"onHand": 5, "asOf": "2026-01-01T00:00:00Z"}""", 404, "not_found", null },
        { "POST", "/v1/inventory/adjustments", """{"locationId": "WH-T", "sku": "BAD-PROBE", "delta": 1000001, "reason": "r", "eventId": "x1"}""", 400, "validation_failed", "delta" },
        { "POST", "/v1/inventory/adjustments", """{"locationId": "WH-T", "sku": "BAD-PROBE", "delta": -1000001, "reason": "r", "eventId": "x1"}""", 400, "validation_failed", "delta" },
        { "POST", "/v1/inventory/adjustments", """{"locationId": "WH-T", "sku": "BAD-PROBE", "delta": 1, "reason": "r"}""", 400, "validation_failed", "eventId" },
        { "POST", "/v1/inventory/adjustments", """{"locationId": "WH-T", "sku": "BAD-PROBE", "delta": 1, "eventId": "x1"}""", 400, "validation_failed", "reason" },
        { "POST", "/v1/inventory/adjustments", """{"locationId": "NO-LOC", "sku": "BAD-PROBE", "delta": 1, "reason": "r", "eventId": "x1"}""", 404, "not_found", null },
        { "POST", "/v1/inventory/inbound", """{"locationId": "WH-T", "sku": "BAD-PROBE", "quantity": -5, "eta": "2026-01-01T00:00:00Z", "reference": "PO"}""", 400, "validation_failed", "quantity" },
        { "POST", "/v1/inventory/inbound", """{"locationId": "WH-T", "sku": "BAD-PROBE", "quantity": 5, "reference": "PO"}""", 400, "validation_failed", "eta" },
        { "POST", "/v1/inventory/inbound", """{"locationId": "WH-T", "sku": "BAD-PROBE", "quantity": 5, "eta": "2026-01-01T00:00:00Z"}""", 400, "validation_failed", "reference" },
        { "POST", "/v1/inventory/batch", """{}""", 400, "validation_failed", "items" },
        { "POST", "/v1/inventory/batch", """{"items": 5}""", 400, "validation_failed", "items" },
        { "PUT", "/v1/locations/L-BAD", """{"name": "x", "type": "castle", "latitude": 1, "longitude": 1}""", 400, "validation_failed", "type" },
        { "PUT", "/v1/locations/L-BAD", """{"name": "x", "type": 1, "latitude": 1, "longitude": 1}""", 400, "validation_failed", "type" },
        { "PUT", "/v1/locations/L-BAD", """{"name": "x", "type": "store", "latitude": 91, "longitude": 1}""", 400, "validation_failed", "latitude" },
        { "PUT", "/v1/locations/L-BAD", """{"name": "x", "type": "store", "latitude": 1, "longitude": -181}""", 400, "validation_failed", "longitude" },
        { "PUT", "/v1/locations/L-BAD", """{"type": "store", "latitude": 1, "longitude": 1}""", 400, "validation_failed", "name" },
        { "PUT", $"/v1/locations/{LongId}", """{"name": "x", "type": "store", "latitude": 1, "longitude": 1}""", 400, "validation_failed", "locationId" },
        { "PUT", "/v1/channels/C-BAD", """{"name": "x", "buffers": {"byType": {"castle": 1}}}""", 400, "validation_failed", "buffers.byType.castle" },
        { "PUT", "/v1/channels/C-BAD", """{"name": "x", "buffers": {"percent": 101}}""", 400, "validation_failed", "buffers.percent" },
        { "PUT", "/v1/channels/C-BAD", """{"name": "x", "reservationTtlSeconds": 0}""", 400, "validation_failed", "reservationTtlSeconds" },
        { "PUT", "/v1/channels/C-BAD", """{"name": "x", "locationIds": ["ok", "not ok"]}""", 400, "validation_failed", "locationIds[1]" },
        { "PUT", "/v1/products/P-BAD", """{"name": "x", "backorderLimit": -1}""", 400, "validation_failed", "backorderLimit" },
        { "GET", "/v1/availability/BAD-PROBE?channel=", null, 400, "validation_failed", "channel" },
        { "GET", $"/v1/availability/{LongId}?channel=web-test", null, 400, "validation_failed", "sku" },
        { "POST", "/v1/availability/query", """{"channel": "web-test", "skus": []}""", 400, "validation_failed", "skus" },
        { "POST", "/v1/availability/query", """{"channel": "web-test"}""", 400, "validation_failed", "skus" },
        { "POST", "/v1/availability/query", """{"channel": "web-test", "skus": ["a"], "near": {"latitude": 100, "longitude": 0, "radiusKm": 5}}""", 400, "validation_failed", "near.latitude" },
        { "POST", "/v1/availability/query", """{"channel": "web-test", "skus": ["a"], "near": {"latitude": 1, "longitude": 0, "radiusKm": -5}}""", 400, "validation_failed", "near.radiusKm" },
        { "POST", "/v1/availability/query", """{"channel": "web-test", "skus": ["a"], "near": {"latitude": 1, "longitude": 0}}""", 400, "validation_failed", "near.radiusKm" },
        { "POST", "/v1/availability/query", """{"channel": "nope", "skus": ["a"]}""", 404, "not_found", null },
        { "GET", "/v1/availability/stream?channel=bad%20id", null, 400, "validation_failed", "channel" },
        { "DELETE", $"/v1/inventory/{W}/{Sku}", null, 405, "method_not_allowed", null },
        { "PUT", $"/v1/carts/c-bad/lines/{Sku}", """{"channel": "web-test", "quantity": -1}""", 400, "validation_failed", "quantity" },
        { "PUT", $"/v1/carts/c-bad/lines/{Sku}", """{"channel": "web-test", "quantity": 1000001}""", 400, "validation_failed", "quantity" },
        { "PUT", $"/v1/carts/c-bad/lines/{Sku}", """{"quantity": 1}""", 400, "validation_failed", "channel" },
        { "PUT", $"/v1/carts/c-bad/lines/{Sku}", """{"channel": "web-test"}""", 400, "validation_failed", "quantity" },
        { "PUT", $"/v1/carts/c-bad/lines/{Sku}", """{"channel": "nope", "quantity": 1}""", 404, "not_found", null },
        { "PUT", $"/v1/carts/c-bad/lines/{Sku}", """{"channel": "web-test", "quantity": 1, "pickupLocationId": "NO-LOC"}""", 404, "not_found", null },
        { "PUT", $"/v1/carts/{LongId}/lines/{Sku}", """{"channel": "web-test", "quantity": 1}""", 400, "validation_failed", "cartId" },
        { "PUT", $"/v1/carts/c-bad/lines/{Sku}", """{"channel": "web-test", "quantity": 999999}""", 409, "insufficient_stock", null },
        { "PUT", "/v1/carts/c-bad", """{"channel": "web-test", "lines": []}""", 400, "validation_failed", "lines" },
        { "PUT", "/v1/carts/c-bad", """{"channel": "web-test", "lines": [{"sku": "BAD-PROBE", "quantity": 1}, {"sku": "BAD-PROBE", "quantity": 2}]}""", 400, "validation_failed", "lines" },
        { "PUT", "/v1/carts/c-bad", """{"channel": "web-test", "lines": [{"sku": "BAD-PROBE", "quantity": -3}]}""", 400, "validation_failed", "lines[0].quantity" },
        { "GET", "/v1/carts/c-never", null, 404, "not_found", null },
        { "POST", "/v1/carts/c-never/extend", null, 404, "not_found", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_a_4xx_problem_and_changes_nothing(string method, string path, string? body, int status, string code, string? field)
    {
        var before = await ProbeVersion();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await fx.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(status == (int)response.StatusCode, $"{method} {path} {body} → {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        if (field is not null)
            Assert.Contains(problem.GetProperty("errors").EnumerateObject(), e => string.Equals(e.Name, field, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(before, await ProbeVersion());
    }

    [Fact]
    public async Task A_wrong_content_type_is_415()
    {
        var before = await ProbeVersion();
        using var response = await fx.Http.PutAsync($"/v1/inventory/{W}/{Sku}", new StringContent("onHand=5", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(before, await ProbeVersion());
    }

    [Fact]
    public async Task A_body_over_32_MB_is_413()
    {
        // Raw socket: the server answers 413 and closes while a client would still be uploading, which HttpClient
        // reports as a broken pipe instead of the answer.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fx.BaseAddress.Host, fx.BaseAddress.Port);
        var stream = tcp.GetStream();
        var head = $"POST /v1/inventory/batch HTTP/1.1\r\nHost: {fx.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: {33 * 1024 * 1024}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "{\"items\": ["));
        using var reader = new StreamReader(stream);
        var status = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 413", status);
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("payload_too_large", rest);
    }

    [Fact]
    public async Task A_malformed_idempotency_key_is_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/inventory/adjustments")
        {
            Content = JsonContent.Create(new { locationId = W, sku = Sku, delta = 1, reason = "r", eventId = "k1" }),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 300));
        using var response = await fx.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>
    /// A small random fuzzer: valid requests with one field replaced by a hostile value, plus truncated and
    /// garbage bodies. Whatever it sends, the answer is never a 5xx and the probe never changes.
    /// </summary>
    [Fact]
    public async Task Fuzzed_requests_never_produce_a_5xx_or_a_change()
    {
        var before = await ProbeVersion();
        var random = new Random(20261124);
        object?[] hostile = [null, -1, 1_000_001, int.MaxValue, long.MaxValue, 1.5, double.NaN.ToString(), "", " ", new string('x', 5000), "ü\u0000\u202e", true, new object[] { 1 }, new { a = 1 }, "1", "2026-13-45T99:99:99Z", -1e308];
        var templates = new (string Method, string Path, Dictionary<string, object?> Body)[]
        {
            ("PUT", $"/v1/inventory/{W}/{Sku}", new() { ["onHand"] = 5, ["safetyStock"] = 1, ["unavailable"] = new Dictionary<string, int> { ["damaged"] = 1 }, ["asOf"] = "2026-01-01T00:00:00Z" }),
            ("POST", "/v1/inventory/adjustments", new() { ["locationId"] = W, ["sku"] = Sku, ["delta"] = 1, ["reason"] = "r", ["eventId"] = "fuzz" }),
            ("POST", "/v1/inventory/inbound", new() { ["locationId"] = W, ["sku"] = Sku, ["quantity"] = 1, ["eta"] = "2026-01-01T00:00:00Z", ["reference"] = "PO" }),
            ("POST", "/v1/inventory/batch", new() { ["items"] = new object[] { new { locationId = W, sku = Sku, onHand = 1, asOf = "2026-01-01T00:00:00Z" } } }),
            ("POST", "/v1/availability/query", new() { ["channel"] = GatewayFixture.Channel, ["skus"] = new[] { Sku }, ["near"] = new { latitude = 1, longitude = 1, radiusKm = 1 } }),
            ("PUT", "/v1/locations/L-FUZZ", new() { ["name"] = "x", ["type"] = "store", ["latitude"] = 1, ["longitude"] = 1, ["offline"] = false }),
            ("PUT", "/v1/channels/C-FUZZ", new() { ["name"] = "x", ["buffers"] = new { percent = 1 }, ["locationIds"] = new[] { W } }),
            ("PUT", "/v1/products/P-FUZZ", new() { ["name"] = "x", ["backorderLimit"] = 1 }),
        };

        for (var i = 0; i < 400; i++)
        {
            var (method, path, template) = templates[random.Next(templates.Length)];
            var body = new Dictionary<string, object?>(template);
            var field = body.Keys.ElementAt(random.Next(body.Count));
            body[field] = hostile[random.Next(hostile.Length)];
            var json = JsonSerializer.Serialize(body);
            json = random.Next(6) switch
            {
                0 => json[..random.Next(json.Length)],
                1 => json.Replace(":", random.Next(2) == 0 ? "" : "::"),
                _ => json,
            };
            if (path.StartsWith("/v1/inventory/WH") && random.Next(4) == 0) path = $"/v1/inventory/{W}/{Uri.EscapeDataString(new string((char)random.Next(32, 127), random.Next(1, 80)))}";

            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            using var response = await fx.Http.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{method} {path} {json} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // The fuzzer's valid mutations may set the probe (a legal PUT); what matters is that nothing broke it.
        var level = await fx.GetOk($"/v1/inventory/{W}/{Sku}");
        Assert.True(level.GetProperty("version").GetInt64() >= before);
    }

    private async Task<long> ProbeVersion()
    {
        var response = await fx.Http.GetAsync($"/v1/inventory/{W}/{Sku}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            await fx.PutOk($"/v1/inventory/{W}/{Sku}", new { onHand = 5, asOf = "2026-01-01T00:00:00Z" });
            response = await fx.Http.GetAsync($"/v1/inventory/{W}/{Sku}");
        }

        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
    }
}
