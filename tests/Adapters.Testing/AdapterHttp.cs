using System.Text;

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

    /// <summary>Waits (up to 10 s) until the adapter's broker connection is up, as a probe would.</summary>
    public static async Task WaitReadyAsync(HttpClient client)
    {
        for (var i = 0; i < 100 && !(await client.GetAsync("/health/ready")).IsSuccessStatusCode; i++)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>Waits (up to 60 s) until the service at <paramref name="baseUrl"/> answers /health/ready, while its process starts.</summary>
    public static async Task WaitReadyAsync(HttpClient client, string baseUrl)
    {
        for (var i = 0; i < 120; i++)
        {
            try
            {
                if ((await client.GetAsync(baseUrl + "/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{baseUrl} did not become ready in 60 s");
    }
}
