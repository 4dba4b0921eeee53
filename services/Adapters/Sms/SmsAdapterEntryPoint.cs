namespace Routing.Adapters.Sms;

/// <summary>
/// Names this service's assembly for an in-process host (WebApplicationFactory) in a test project that loads another
/// service too, whose Program would have the same name as this one's.
/// </summary>
public sealed class SmsAdapterEntryPoint
{
    private SmsAdapterEntryPoint()
    {
    }
}
