namespace Routing.Adapters.Webhooks;

/// <summary>
/// A provider's secret rotated without refusing a delivery: the current secret and the previous ones (a
/// <c>Previous…</c> list in each channel's settings) are all checked while the provider switches over, then the previous
/// ones are removed. Every secret is checked, whatever the first answered, so timing tells nothing about which matched.
/// </summary>
public static class ProviderSecrets
{
    public static SignatureCheck Verify(string current, IEnumerable<string>? previous, Func<string, SignatureCheck> check)
    {
        var result = check(current);
        foreach (var secret in previous ?? [])
        {
            if (!string.IsNullOrEmpty(secret) && check(secret) == SignatureCheck.Valid)
            {
                result = SignatureCheck.Valid;
            }
        }
        return result;
    }
}
