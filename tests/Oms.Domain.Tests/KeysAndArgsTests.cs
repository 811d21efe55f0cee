using Oms.GrainInterfaces;
using Oms.Grains.Hosting;

namespace Oms.Domain.Tests;

public sealed class KeysAndArgsTests
{
    [Theory]
    [InlineData("WH-1", "SKU:1.a_b")]
    [InlineData("a", "b")]
    public void Inventory_keys_round_trip(string location, string sku) =>
        Assert.Equal((location, sku), InventoryKey.Parse(InventoryKey.For(location, sku)));

    [Theory]
    [InlineData("nokey")]
    [InlineData("|sku")]
    [InlineData("loc|")]
    public void Malformed_inventory_keys_are_refused(string key) =>
        Assert.Throws<ArgumentException>(() => InventoryKey.Parse(key));

    [Fact]
    public void Stock_delta_partitions_are_stable_and_in_range()
    {
        Assert.Equal(OmsNames.PartitionOf("SKU-00001"), OmsNames.PartitionOf("SKU-00001"));
        Assert.All(Enumerable.Range(0, 1000), i => Assert.InRange(OmsNames.PartitionOf($"SKU-{i}"), 0, OmsNames.StockDeltaPartitions - 1));
        Assert.True(Enumerable.Range(0, 1000).Select(i => OmsNames.PartitionOf($"SKU-{i}")).Distinct().Count() == OmsNames.StockDeltaPartitions);
    }

    [Fact]
    public void Bare_flags_do_not_swallow_the_next_switch()
    {
        var args = OmsArgs.Normalize(["--demo", "--in-memory", "--urls", "http://localhost:1", "--connection", "Host=x", "--silo-port=5"]);
        Assert.Equal(["--Oms:Demo=true", "--Oms:InMemory=true", "--urls", "http://localhost:1", "--Oms:ConnectionString=Host=x", "--Oms:SiloPort=5"], args);
    }

    [Theory]
    [InlineData("Host=h;Database=oms", "Host=h;Database=oms;No Reset On Close=True;Max Auto Prepare=32;Auto Prepare Min Usages=2")]
    // the operator's own values win, in either spelling
    [InlineData("Host=h;No Reset On Close=false;Max Auto Prepare=0", "Host=h;No Reset On Close=False;Max Auto Prepare=0;Auto Prepare Min Usages=2")]
    [InlineData("Host=h;NoResetOnClose=false;AutoPrepareMinUsages=5", "Host=h;No Reset On Close=False;Auto Prepare Min Usages=5;Max Auto Prepare=32")]
    public void The_postgres_connection_string_gets_no_pool_reset_and_auto_prepare_unless_the_operator_set_them(string given, string expected)
    {
        var tuned = new Npgsql.NpgsqlConnectionStringBuilder(OmsSiloBuilderExtensions.TunePostgres(given));
        var want = new Npgsql.NpgsqlConnectionStringBuilder(expected);
        Assert.Equal((want.Host, want.Database, want.NoResetOnClose, want.MaxAutoPrepare, want.AutoPrepareMinUsages),
            (tuned.Host, tuned.Database, tuned.NoResetOnClose, tuned.MaxAutoPrepare, tuned.AutoPrepareMinUsages));
    }
}
