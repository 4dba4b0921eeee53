using System.Net.Http.Json;
using System.Text.Json;
using Routing.Adapters.Testing;

namespace Routing.EndToEndTests;

/// <summary>
/// The local stack as make up runs it (deploy/local/stack.sh): its addresses, its dev-only secrets
/// (deploy/local/dev.env), and a check that every service is ready. `make test` starts the stack before
/// the tests; a missing stack fails the tests, it never skips them.
/// </summary>
public static class LocalStack
{
    public const string Routing = "http://127.0.0.1:5080";
    public const string Gateway = "http://127.0.0.1:5090";
    public const string Sms = "http://127.0.0.1:5101";
    public const string Facebook = "http://127.0.0.1:5102";
    public const string WhatsApp = "http://127.0.0.1:5103";
    public const string Twitter = "http://127.0.0.1:5104";
    public const string Email = "http://127.0.0.1:5105";

    /// <summary>The support mailbox the stack's email adapter reads (deploy/local/dev.env).</summary>
    public const string SupportMailbox = "support@example.com";
    public const string Sandbox = "http://127.0.0.1:5190";

    public static IReadOnlyDictionary<string, string> Secrets => AdapterProcess.DevSecrets;

    public static async Task RequireReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var service in new[] { Routing, Gateway, Sms, Facebook, WhatsApp, Twitter, Email, Sandbox })
        {
            try
            {
                (await http.GetAsync(service + "/health/ready")).EnsureSuccessStatusCode();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                throw new InvalidOperationException($"The local stack is not ready at {service} ({ex.Message}): `make test` starts it with deploy/local/stack.sh up.", ex);
            }
        }
    }

    /// <summary>What the provider sandbox received, newest last.</summary>
    public static async Task<JsonElement> SentAsync(HttpClient http) => await http.GetFromJsonAsync<JsonElement>(Sandbox + "/sent");
}
