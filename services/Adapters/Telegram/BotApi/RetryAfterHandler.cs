using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Routing.Adapters.Telegram.BotApi;

/// <summary>
/// Telegram says how long to wait after a 429 in its body ({"parameters":{"retry_after":N}}), not in a Retry-After header:
/// this handler, inside the pipeline, copies it into the header the kit's retry honours (and gives up on when it lies
/// beyond Outbound:TotalTimeout).
/// </summary>
internal sealed class RetryAfterHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter is not null)
        {
            return response;
        }
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        try
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("parameters", out var parameters)
                && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("retry_after", out var seconds)
                && seconds.TryGetInt32(out var wait) && wait >= 0)
            {
                response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(wait));
            }
        }
        catch (JsonException)
        {
            // not Telegram's body: the retry judges the 429 by itself
        }
        return response;
    }
}
