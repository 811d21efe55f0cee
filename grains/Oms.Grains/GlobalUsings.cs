global using Microsoft.Extensions.Logging;
global using Oms.GrainInterfaces;
global using Orleans.Concurrency;
