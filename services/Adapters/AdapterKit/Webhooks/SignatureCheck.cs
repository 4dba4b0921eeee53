namespace Routing.Adapters.Webhooks;

/// <summary>What a signature check found: no signature is 401, a wrong one 403.</summary>
public enum SignatureCheck
{
    Valid,
    Missing,
    Invalid,
}
