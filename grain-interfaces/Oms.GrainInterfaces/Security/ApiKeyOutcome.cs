namespace Oms.GrainInterfaces.Security;

[GenerateSerializer, Alias("oms.ApiKeyOutcome")]
public enum ApiKeyOutcome
{
    Done,
    NotFound,
    AlreadyExists,
    Revoked,
}
