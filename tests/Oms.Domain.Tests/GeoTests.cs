using Oms.Grains.Availability;

namespace Oms.Domain.Tests;

public sealed class GeoTests
{
    [Theory]
    [InlineData(51.5074, -0.1278, 48.8566, 2.3522, 343.5)]   // London – Paris
    [InlineData(52.5200, 13.4050, 48.1351, 11.5820, 504.2)]  // Berlin – Munich
    [InlineData(0, 0, 0, 180, 20015.1)]                      // half the equator
    [InlineData(10, 10, 10, 10, 0)]
    public void Haversine_matches_known_distances(double lat1, double lon1, double lat2, double lon2, double km) =>
        Assert.Equal(km, Geo.HaversineKm(lat1, lon1, lat2, lon2), 0.5);

    [Fact]
    public void Haversine_is_symmetric() =>
        Assert.Equal(Geo.HaversineKm(1, 2, 3, 4), Geo.HaversineKm(3, 4, 1, 2), 9);
}
