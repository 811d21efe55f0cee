// The baseline a user would build instead of the OMS: a minimal ASP.NET Core + Npgsql service that does the relational
// transaction behind HTTP/JSON (bench/orders/run.sh, bench/flash-sale/run.sh). Not the product, not in the solution.
//
//   POST /v1/orders                   ship/pickup order: in ONE transaction claim the order id, source it (one location
//                                     holding every line, ranked like bench/orders/relational-order-sourced.sql), lock
//                                     the stock rows (FOR UPDATE, in SKU order), allocate, insert the lines, commit.
//                                     201 {orderId, status, fulfilments: [{fulfilmentId, locationId, status, lines}]};
//                                     409 problem+json insufficient_stock; a repeated orderId with the same lines
//                                     answers the stored order (201), with other lines 409 conflict.
//   GET  /v1/orders/{orderId}         the stored order (same shape)
//   PUT  /v1/carts/{cartId}/lines/{sku} {channel, quantity}: ONE transaction: lock the SKU's stock rows of the channel,
//                                     check free = on_hand - allocated - reserved >= the raise, upsert the cart line,
//                                     update reserved, commit. 200 {cartId, sku, quantity, reservations, expiresAt};
//                                     409 problem+json insufficient_stock with `available`.
//   GET  /v1/inventory/{locationId}/{sku}   {locationId, sku, onHand, allocated, reserved, available}
//   GET  /health/ready
//
// Schema: bench/orders/relational-schema.sql and bench/flash-sale/relational-schema.sql (database `relational`).
// Configuration (environment): RELATIONAL_DB (Npgsql connection string; Max Pool Size 64 unless it says otherwise),
// RELATIONAL_POOL (overrides Max Pool Size), ASPNETCORE_URLS. One NpgsqlDataSource; statements are auto-prepared.
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default);
});

var csb = new NpgsqlConnectionStringBuilder(
    Environment.GetEnvironmentVariable("RELATIONAL_DB") ?? "Host=127.0.0.1;Port=55462;Username=postgres;Database=relational")
{
    // Pooled connections are not reset with DISCARD ALL on return (nothing session-level is changed here), and the
    // statements this service runs are prepared on each physical connection after their second use.
    NoResetOnClose = true,
    MaxAutoPrepare = 32,
    AutoPrepareMinUsages = 2,
};
if (!csb.ContainsKey("Maximum Pool Size") || Environment.GetEnvironmentVariable("RELATIONAL_POOL") is not null)
    csb.MaxPoolSize = int.Parse(Environment.GetEnvironmentVariable("RELATIONAL_POOL") ?? "64", System.Globalization.CultureInfo.InvariantCulture);
if (csb.Timeout < 30) csb.Timeout = 30; // waiting for a pooled connection under 1,000 clients
await using var db = NpgsqlDataSource.Create(csb.ConnectionString);

var app = builder.Build();
app.MapGet("/health/ready", async () =>
{
    await using var cmd = db.CreateCommand("SELECT 1");
    await cmd.ExecuteScalarAsync();
    return Results.Text("ok");
});
app.MapPost("/v1/orders", (OrderBody body) => Orders.Place(db, body));
app.MapGet("/v1/orders/{orderId}", async (string orderId) =>
{
    await using var conn = await db.OpenConnectionAsync();
    var order = await Orders.Load(conn, null, orderId);
    return order is null ? Problems.Create(404, "not_found", "Not found", $"order {orderId} does not exist") : Results.Ok(order);
});
app.MapPut("/v1/carts/{cartId}/lines/{sku}", (string cartId, string sku, CartLineBody body) => Carts.PutLine(db, cartId, sku, body));
app.MapGet("/v1/inventory/{locationId}/{sku}", async (string locationId, string sku) =>
{
    await using var cmd = db.CreateCommand("SELECT on_hand, allocated, reserved FROM stock WHERE location_id = $1 AND sku = $2");
    cmd.Parameters.Add(new() { Value = locationId });
    cmd.Parameters.Add(new() { Value = sku });
    await using var r = await cmd.ExecuteReaderAsync();
    if (!await r.ReadAsync()) return Problems.Create(404, "not_found", "Not found", $"no stock record {locationId}/{sku}");
    int onHand = r.GetInt32(0), allocated = r.GetInt32(1), reserved = r.GetInt32(2);
    return Results.Ok(new InventoryLevel(locationId, sku, onHand, allocated, reserved, Math.Max(0, onHand - allocated - reserved)));
});
app.Run();

// ---- orders ----------------------------------------------------------------------------------------------------

internal static class Orders
{
    // Candidates holding every line, best first: type weight (warehouse 2, store 1 + turnaround 0.67) + 2 x (1 - d /
    // farthest candidate), as bench/orders/relational-order-sourced.sql; d in degrees with longitude scaled by 0.62.
    // `s.sku = ANY($1)` and no "($5 IS NULL OR ...)" so that the generic plan PostgreSQL settles on for this prepared
    // statement reads the 3 SKUs through stock_sku (with the OR it scanned all 25,000 rows: 15 ms instead of 0.9 ms).
    private const string SourceSql = """
        SELECT c.location_id FROM (
            SELECT s.location_id, l.type,
                   sqrt(power(l.latitude - $3, 2) + power((l.longitude - $4) * 0.62, 2)) AS d
              FROM unnest($1::text[], $2::int[]) AS r(sku, qty)
              JOIN stock s ON s.sku = r.sku AND s.on_hand - s.allocated - s.reserved >= r.qty
              JOIN location l ON l.location_id = s.location_id
             WHERE s.sku = ANY($1::text[]) /*PICKUP*/
             GROUP BY s.location_id, l.type, l.latitude, l.longitude
            HAVING count(*) = cardinality($1::text[])) c
         ORDER BY (CASE c.type WHEN 'warehouse' THEN 2 ELSE 1.67 END) + 2 * (1 - c.d / greatest(max(c.d) OVER (), 1e-9)) DESC, c.location_id
         LIMIT 3
        """;

    private static readonly string PickupSourceSql = SourceSql.Replace("/*PICKUP*/", "AND s.location_id = $5", StringComparison.Ordinal);

    public static async Task<IResult> Place(NpgsqlDataSource db, OrderBody body)
    {
        if (body.Lines is not { Length: > 0 and <= 200 } lines || lines.Any(l => l is null || string.IsNullOrEmpty(l.Sku) || l.Quantity is not > 0)
            || string.IsNullOrEmpty(body.Channel) || body.Customer?.Id is not { Length: > 0 } customerId || body.Fulfilment is not { } f)
            return Problems.Create(400, "validation_failed", "Invalid request", "channel, customer.id, lines [{sku, quantity > 0}] and fulfilment are required");
        var pickup = f.Type == "pickup" ? f.PickupLocationId : null;
        if (f.Type == "pickup" && pickup is null)
            return Problems.Create(400, "validation_failed", "Invalid request", "fulfilment.pickupLocationId is required for pickup");
        // Lines in SKU order: the order the stock rows are locked in (no deadlock between concurrent orders).
        var sorted = lines.OrderBy(l => l.Sku, StringComparer.Ordinal).ToArray();
        if (sorted.Select(l => l.Sku).Distinct(StringComparer.Ordinal).Count() != sorted.Length)
            return Problems.Create(400, "validation_failed", "Invalid request", "each SKU at most once");
        var skus = sorted.Select(l => l.Sku!).ToArray();
        var qtys = sorted.Select(l => l.Quantity!.Value).ToArray();
        var orderId = body.OrderId ?? Guid.NewGuid().ToString("N");
        double lat = f.Address?.Latitude ?? 0, lon = f.Address?.Longitude ?? 0;

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync();
                await using var tx = await conn.BeginTransactionAsync();
                // 1. Claim the order id (idempotency): a concurrent duplicate waits here for the first one's outcome.
                long id;
                await using (var cmd = new NpgsqlCommand("""
                    INSERT INTO orders (order_ref, channel, customer_id, email, ship_lat, ship_lon, country, status, total)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, 'released', $8) ON CONFLICT (order_ref) DO NOTHING RETURNING id
                    """, conn, tx))
                {
                    cmd.Parameters.Add(new() { Value = orderId });
                    cmd.Parameters.Add(new() { Value = body.Channel });
                    cmd.Parameters.Add(new() { Value = customerId });
                    cmd.Parameters.Add(new() { Value = (object?)body.Customer.Email ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                    cmd.Parameters.Add(new() { Value = lat });
                    cmd.Parameters.Add(new() { Value = lon });
                    cmd.Parameters.Add(new() { Value = f.Address?.Country ?? "", NpgsqlDbType = NpgsqlDbType.Text });
                    cmd.Parameters.Add(new() { Value = sorted.Sum(l => (l.UnitPrice ?? 0m) * l.Quantity!.Value) });
                    var claimed = await cmd.ExecuteScalarAsync();
                    if (claimed is null)
                    {
                        await tx.RollbackAsync();
                        var stored = await Load(conn, null, orderId);
                        return stored is not null && SameLines(stored, skus, qtys)
                            ? Results.Json(stored, AppJson.Default.OrderAnswer, statusCode: 201)
                            : Problems.Create(409, "conflict", "Conflict", $"order {orderId} exists with other lines");
                    }

                    id = (long)claimed;
                }

                // 2. Source (no lock), 3. lock the chosen location's rows in SKU order and re-check; next candidate if short.
                var candidates = new List<string>(3);
                await using (var cmd = new NpgsqlCommand(pickup is null ? SourceSql : PickupSourceSql, conn, tx))
                {
                    cmd.Parameters.Add(new() { Value = skus });
                    cmd.Parameters.Add(new() { Value = qtys });
                    cmd.Parameters.Add(new() { Value = lat });
                    cmd.Parameters.Add(new() { Value = lon });
                    if (pickup is not null) cmd.Parameters.Add(new() { Value = pickup });
                    await using var r = await cmd.ExecuteReaderAsync();
                    while (await r.ReadAsync()) candidates.Add(r.GetString(0));
                }

                string? location = null;
                foreach (var candidate in candidates)
                {
                    await using var cmd = new NpgsqlCommand(
                        "SELECT sku, on_hand - allocated - reserved FROM stock WHERE location_id = $1 AND sku = ANY($2) ORDER BY sku FOR UPDATE", conn, tx);
                    cmd.Parameters.Add(new() { Value = candidate });
                    cmd.Parameters.Add(new() { Value = skus });
                    var ok = 0;
                    await using (var r = await cmd.ExecuteReaderAsync())
                    {
                        while (await r.ReadAsync())
                        {
                            var i = Array.IndexOf(skus, r.GetString(0));
                            if (i >= 0 && r.GetInt32(1) >= qtys[i]) ok++;
                        }
                    }

                    if (ok == skus.Length)
                    {
                        location = candidate;
                        break;
                    }
                }

                if (location is null)
                {
                    await tx.RollbackAsync();
                    return Problems.Create(409, "insufficient_stock", "Insufficient stock",
                        "no location of the channel holds every line", new() { ["available"] = 0 });
                }

                // 4. Allocate, 5. insert the lines (their index on (location_id, status) is the location's work queue).
                await using (var cmd = new NpgsqlCommand("""
                    UPDATE stock s SET allocated = s.allocated + r.qty FROM unnest($2::text[], $3::int[]) AS r(sku, qty)
                     WHERE s.location_id = $1 AND s.sku = r.sku
                    """, conn, tx))
                {
                    cmd.Parameters.Add(new() { Value = location });
                    cmd.Parameters.Add(new() { Value = skus });
                    cmd.Parameters.Add(new() { Value = qtys });
                    await cmd.ExecuteNonQueryAsync();
                }

                await using (var cmd = new NpgsqlCommand("""
                    INSERT INTO order_lines (order_id, line_no, sku, location_id, quantity, unit_price, status)
                    SELECT $1, r.n, r.sku, $2, r.qty, r.price, 'released' FROM unnest($3::text[], $4::int[], $5::numeric[]) WITH ORDINALITY AS r(sku, qty, price, n)
                    """, conn, tx))
                {
                    cmd.Parameters.Add(new() { Value = id });
                    cmd.Parameters.Add(new() { Value = location });
                    cmd.Parameters.Add(new() { Value = skus });
                    cmd.Parameters.Add(new() { Value = qtys });
                    cmd.Parameters.Add(new() { Value = sorted.Select(l => l.UnitPrice ?? 0m).ToArray() });
                    await cmd.ExecuteNonQueryAsync();
                }

                await tx.CommitAsync();
                var answer = new OrderAnswer(orderId, "released",
                    [new FulfilmentAnswer($"{orderId}-1", location, "released", [.. sorted.Select(l => new LineAnswer(l.Sku!, l.Quantity!.Value, 0))])]);
                return Results.Json(answer, AppJson.Default.OrderAnswer, statusCode: 201);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 3)
            {
                // retried from the start (the transaction was rolled back)
            }
        }
    }

    public static async Task<OrderAnswer?> Load(NpgsqlConnection conn, NpgsqlTransaction? tx, string orderId)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT o.status, l.location_id, l.sku, l.quantity FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
             WHERE o.order_ref = $1 ORDER BY l.line_no
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = orderId });
        await using var r = await cmd.ExecuteReaderAsync();
        string? status = null;
        var byLocation = new Dictionary<string, List<LineAnswer>>(StringComparer.Ordinal);
        while (await r.ReadAsync())
        {
            status = r.GetString(0);
            if (r.IsDBNull(1)) continue;
            var loc = r.GetString(1);
            if (!byLocation.TryGetValue(loc, out var list)) byLocation[loc] = list = [];
            list.Add(new LineAnswer(r.GetString(2), r.GetInt32(3), 0));
        }

        if (status is null) return null;
        var n = 0;
        return new OrderAnswer(orderId, status, [.. byLocation.Select(kv => new FulfilmentAnswer($"{orderId}-{++n}", kv.Key, status, [.. kv.Value]))]);
    }

    private static bool SameLines(OrderAnswer stored, string[] skus, int[] qtys)
    {
        var got = stored.Fulfilments.SelectMany(f => f.Lines).OrderBy(l => l.Sku, StringComparer.Ordinal).ToArray();
        return got.Length == skus.Length && got.Select((l, i) => l.Sku == skus[i] && l.Quantity == qtys[i]).All(x => x);
    }
}

// ---- carts (flash sale) ------------------------------------------------------------------------------------------

internal static class Carts
{
    public static async Task<IResult> PutLine(NpgsqlDataSource db, string cartId, string sku, CartLineBody body)
    {
        if (string.IsNullOrEmpty(body.Channel) || body.Quantity is not (>= 0 and <= 10_000))
            return Problems.Create(400, "validation_failed", "Invalid request", "channel and quantity (0..10000) are required");
        var want = body.Quantity.Value;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync();
                await using var tx = await conn.BeginTransactionAsync();
                // 1. Lock the SKU's stock rows at the channel's locations (in location order) with this cart's current
                //    hold on each: every change to this SKU's holds happens under these row locks.
                var rows = new List<(string Location, int Free, int Held, int Ttl)>(2);
                await using (var cmd = new NpgsqlCommand("""
                    SELECT s.location_id, s.on_hand - s.allocated - s.reserved, coalesce(c.quantity, 0), ch.ttl_seconds
                      FROM channel_location cl
                      JOIN channel ch ON ch.channel_id = cl.channel_id
                      JOIN stock s ON s.location_id = cl.location_id AND s.sku = $2
                      LEFT JOIN cart_line c ON c.cart_id = $3 AND c.sku = s.sku AND c.location_id = s.location_id
                     WHERE cl.channel_id = $1
                     ORDER BY s.location_id FOR UPDATE OF s
                    """, conn, tx))
                {
                    cmd.Parameters.Add(new() { Value = body.Channel });
                    cmd.Parameters.Add(new() { Value = sku });
                    cmd.Parameters.Add(new() { Value = cartId });
                    await using var r = await cmd.ExecuteReaderAsync();
                    while (await r.ReadAsync()) rows.Add((r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3)));
                }

                if (rows.Count == 0)
                {
                    await tx.RollbackAsync();
                    return Problems.Create(404, "not_found", "Not found", $"channel {body.Channel} has no stock record of {sku}");
                }

                // 2. One location holds the line: the one already holding it, else the one with the most free units.
                var pick = rows.OrderByDescending(x => x.Held).ThenByDescending(x => x.Free).First();
                var raise = want - pick.Held;
                if (raise > pick.Free)
                {
                    await tx.RollbackAsync(); // the previous hold stays as it was
                    return Problems.Create(409, "insufficient_stock", "Insufficient stock", $"{sku}: {pick.Free + pick.Held} available",
                        new() { ["available"] = pick.Free + pick.Held });
                }

                var expires = DateTimeOffset.UtcNow.AddSeconds(pick.Ttl);
                if (raise != 0 || want > 0)
                {
                    // 3. Upsert (or delete) the cart line, 4. move reserved by the raise.
                    await using (var cmd = want > 0
                        ? new NpgsqlCommand("""
                            INSERT INTO cart_line (cart_id, sku, location_id, quantity, expires_at) VALUES ($1, $2, $3, $4, $5)
                            ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = excluded.quantity, location_id = excluded.location_id, expires_at = excluded.expires_at
                            """, conn, tx)
                        : new NpgsqlCommand("DELETE FROM cart_line WHERE cart_id = $1 AND sku = $2", conn, tx))
                    {
                        cmd.Parameters.Add(new() { Value = cartId });
                        cmd.Parameters.Add(new() { Value = sku });
                        if (want > 0)
                        {
                            cmd.Parameters.Add(new() { Value = pick.Location });
                            cmd.Parameters.Add(new() { Value = want });
                            cmd.Parameters.Add(new() { Value = expires });
                        }

                        await cmd.ExecuteNonQueryAsync();
                    }

                    if (raise != 0)
                    {
                        await using var cmd = new NpgsqlCommand("UPDATE stock SET reserved = reserved + $3 WHERE location_id = $1 AND sku = $2", conn, tx);
                        cmd.Parameters.Add(new() { Value = pick.Location });
                        cmd.Parameters.Add(new() { Value = sku });
                        cmd.Parameters.Add(new() { Value = raise });
                        await cmd.ExecuteNonQueryAsync();
                    }
                }

                await tx.CommitAsync();
                return Results.Json(new CartLineAnswer(cartId, sku, want, want > 0 ? [new Reservation(pick.Location, want)] : [], expires),
                    AppJson.Default.CartLineAnswer);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 3)
            {
            }
        }
    }
}

internal static class Problems
{
    public static IResult Create(int status, string code, string title, string detail, Dictionary<string, object?>? extensions = null)
    {
        var p = new Problem($"https://oms.example/problems/{code}", title, status, detail, code, extensions?.GetValueOrDefault("available") as int?);
        return Results.Json(p, AppJson.Default.Problem, contentType: "application/problem+json", statusCode: status);
    }
}

// ---- JSON ------------------------------------------------------------------------------------------------------

internal sealed record OrderBody(string? OrderId, string? Channel, CustomerBody? Customer, LineBody[]? Lines, FulfilmentBody? Fulfilment);
internal sealed record CustomerBody(string? Id, string? Tier, string? Email);
internal sealed record LineBody(string? Sku, int? Quantity, decimal? UnitPrice);
internal sealed record FulfilmentBody(string? Type, string? PickupLocationId, AddressBody? Address);
internal sealed record AddressBody(double? Latitude, double? Longitude, string? Country);
internal sealed record OrderAnswer(string OrderId, string Status, FulfilmentAnswer[] Fulfilments);
internal sealed record FulfilmentAnswer(string FulfilmentId, string LocationId, string Status, LineAnswer[] Lines);
internal sealed record LineAnswer(string Sku, int Quantity, int Cancelled);
internal sealed record CartLineBody(string? Channel, int? Quantity);
internal sealed record CartLineAnswer(string CartId, string Sku, int Quantity, Reservation[] Reservations, DateTimeOffset ExpiresAt);
internal sealed record Reservation(string LocationId, int Quantity);
internal sealed record InventoryLevel(string LocationId, string Sku, int OnHand, int Allocated, int Reserved, int Available);
internal sealed record Problem(string Type, string Title, int Status, string Detail, string Code, int? Available);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OrderBody))]
[JsonSerializable(typeof(OrderAnswer))]
[JsonSerializable(typeof(CartLineBody))]
[JsonSerializable(typeof(CartLineAnswer))]
[JsonSerializable(typeof(InventoryLevel))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class AppJson : JsonSerializerContext;
