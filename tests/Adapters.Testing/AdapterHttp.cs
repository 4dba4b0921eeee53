using System.Text;
using Routing.Testing;

namespace Routing.Adapters.Testing;

/// <summary>Driving an adapter over HTTP in tests: a conformance case as the provider would post it, and waiting for readiness.</summary>
public static class AdapterHttp
{
    /// <summary>The case's exact bytes and headers, posted to <paramref name="path"/>.</summary>
    public static HttpRequestMessage Request(ConformanceCase @case, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(@case.Body)) { Headers = { { "Content-Type", @case.ContentType } } },
        };
        foreach (var (name, value) in @case.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    /// <summary>Waits until the adapter's broker connection is up, as a probe would.</summary>
    public static Task WaitReadyAsync(HttpClient client) =>
        Eventually.TrueAsync("the adapter's /health/ready", async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode);

    /// <summary>Waits until the service at <paramref name="baseUrl"/> answers /health/ready, while its process starts (refused until it listens).</summary>
    public static Task WaitReadyAsync(HttpClient client, string baseUrl) =>
        Eventually.TrueAsync($"{baseUrl}/health/ready", async () => (await client.GetAsync(baseUrl + "/health/ready")).IsSuccessStatusCode);
}
