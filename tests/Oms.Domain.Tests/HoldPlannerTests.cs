using Oms.GrainInterfaces.Availability;
using Oms.Grains.Carts;

namespace Oms.Domain.Tests;

public sealed class HoldPlannerTests
{
    /// <summary>"loc:n,loc:n" → a dictionary; "" → empty.</summary>
    private static Dictionary<string, int> D(string spec) => spec.Length == 0
        ? []
        : spec.Split(',').Select(p => p.Split(':')).ToDictionary(p => p[0], p => int.Parse(p[1]), StringComparer.Ordinal);

    /// <summary>"loc:sellable,…": the locations the channel sells from now.</summary>
    private static HoldCandidate[] C(string spec) => [.. D(spec).Select(kv => new HoldCandidate(kv.Key, kv.Value, 0))];

    public static TheoryData<string, string, int, string?, string, string?> Cases => new()
    {
        // case,                                   held,          qty, pickup, candidates (sellable), plan (null = refused)
        { "pool: best location first",             "",            3,   null,   "wh:5,st:2",    "wh:3" },
        { "pool: split only when needed",          "",            6,   null,   "wh:5,st:2",    "wh:5,st:1" },
        { "pool: short goes to the best anyway",   "",            9,   null,   "wh:5,st:2",    "wh:7,st:2" },
        { "pool: keeps what it holds",             "st:2",        3,   null,   "wh:5,st:2",    "st:2,wh:1" },
        { "pool: lowering releases smallest first","wh:3,st:1",   3,   null,   "wh:5,st:2",    "wh:3,st:0" },
        { "pool: 0 releases everything",           "wh:3,st:1",   0,   null,   "",             "wh:0,st:0" },
        { "pool: 0 on an empty line is a no-op",   "",            0,   null,   "",             "" },
        { "pool: nowhere sells",                   "",            1,   null,   "",             null },
        // a store gone offline is no longer a candidate: its holds are kept or released, never raised
        { "offline: raise goes elsewhere",         "st:1",        3,   null,   "wh:2",         "st:1,wh:2" },
        { "offline: short raise not at the store", "st:1",        4,   null,   "wh:2",         "st:1,wh:3" },
        { "offline: lower releases there first",   "st:2,wh:2",   3,   null,   "wh:4",         "wh:2,st:1" },
        { "offline: lower with nothing selling",   "st:3",        1,   null,   "",             "st:1" },
        { "offline: raise with nothing selling",   "st:3",        4,   null,   "",             null },
        { "pickup: at the store only",             "",            2,   "st",   "wh:5,st:3",    "st:2" },
        { "pickup: moves a pool hold to the store","wh:2",        2,   "st",   "wh:5,st:3",    "st:2,wh:0" },
        { "pickup: 0 releases",                    "st:3",        0,   "st",   "",             "st:0" },
        { "pickup: 0 on an empty line is a no-op", "",            0,   "st",   "",             "st:0" },
        { "pickup: lower at an offline store",     "st:3",        1,   "st",   "wh:5",         "st:1" },
        { "pickup: raise at an offline store",     "st:1",        2,   "st",   "wh:5",         null },
        { "pickup: store the channel never sells", "",            1,   "xx",   "wh:5,st:3",    null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plans_where_a_line_is_held(string name, string held, int quantity, string? pickup, string candidates, string? expected)
    {
        var plan = HoldPlanner.Plan(D(held), quantity, pickup, C(candidates));
        if (expected is null)
        {
            Assert.True(plan is null, $"{name}: expected a refusal, got {Show(plan)}");
            return;
        }

        Assert.True(plan is not null, $"{name}: refused");
        Assert.Equal(D(expected).OrderBy(kv => kv.Key), plan.OrderBy(kv => kv.Key));
    }

    [Theory]
    [InlineData("st:1", "st:1,wh:2", true)]
    [InlineData("wh:3,st:1", "wh:3,st:0", false)]
    [InlineData("wh:2", "st:2,wh:0", true)]
    [InlineData("", "", false)]
    public void A_plan_raises_when_any_location_gets_more(string held, string plan, bool raises) =>
        Assert.Equal(raises, HoldPlanner.Raises(D(held), D(plan)));

    private static string Show(Dictionary<string, int>? plan) =>
        plan is null ? "null" : string.Join(",", plan.Select(kv => $"{kv.Key}:{kv.Value}"));
}
