using Oms.GrainInterfaces.Orders;
using Oms.GrainInterfaces.Sourcing;

namespace Oms.Gateway.Customers;

/// <summary>All the product holds about a customer: as known from their latest order, and every order with its timeline.</summary>
public sealed record CustomerExport(string CustomerId, DateTimeOffset ExportedAt, Customer? Customer, OrderView[] Orders);
