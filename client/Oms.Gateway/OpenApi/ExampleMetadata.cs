namespace Oms.Gateway.OpenApi;

/// <summary>Endpoint metadata: JSON examples of the request body and the success answer (either may be null).</summary>
public sealed record ExampleMetadata(string? Request, string? Response);
