global using Microsoft.AspNetCore.Http.HttpResults;
global using Oms.Gateway.Errors;
global using Oms.Gateway.Validation;
global using Oms.Gateway.Operations;
global using Oms.GrainInterfaces;
global using Oms.Gateway.OpenApi;
