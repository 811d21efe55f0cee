global using Oms.GrainInterfaces;
