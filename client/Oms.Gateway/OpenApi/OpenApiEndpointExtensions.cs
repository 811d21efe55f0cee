namespace Oms.Gateway.OpenApi;

/// <summary>What an endpoint tells the OpenAPI document beyond its types: its own failures and its examples.</summary>
public static class OpenApiEndpointExtensions
{
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params ProblemKind[] kinds) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemsMetadata(kinds));

    public static TBuilder WithExamples<TBuilder>(this TBuilder builder, string? request = null, string? response = null) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ExampleMetadata(request, response));
}
