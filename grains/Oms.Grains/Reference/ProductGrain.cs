using Oms.GrainInterfaces.Availability;
using Oms.GrainInterfaces.Reference;

namespace Oms.Grains.Reference;

public sealed class ProductGrain(
    [PersistentState("product", OmsNames.Storage)] IPersistentState<Product?> state) : Grain, IProductGrain
{
    private Product? _committed;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _committed = state.RecordExists ? state.State : null;
        return Task.CompletedTask;
    }

    public async Task<Product> PutAsync(Product product)
    {
        state.State = product;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = _committed;
            throw;
        }

        _committed = product;
        await GrainFactory.Ref<ISkuAvailabilityGrain>(product.Sku).ProductChangedAsync(product);
        return product;
    }

    public Task<Product?> GetAsync() => Task.FromResult(_committed);
}
