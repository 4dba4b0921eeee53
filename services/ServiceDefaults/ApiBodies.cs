using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;

namespace Routing.ServiceDefaults;

/// <summary>
/// The JSON APIs' bodies (routing's, the gateway's agent and admin APIs) are small: anything larger than
/// <see cref="MaxBytes"/> is answered 413 problem+json as it is read, not buffered (a chunked body included).
/// </summary>
public static class ApiBodies
{
    public const long MaxBytes = 1024 * 1024;

    public static TBuilder LimitBodies<TBuilder>(this TBuilder builder, long maxBytes = MaxBytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestSizeLimitAttribute(maxBytes));
}
