using System.Net.Http.Json;
using System.Text.Json;

namespace Routing.Adapters.Testing;

/// <summary>
/// The local stack the end-to-end tests and the fault campaign (tests/Routing.Chaos) run on (deploy/local/stack.sh):
/// its addresses, its dev-only secrets (deploy/local/dev.env), and a check that every service is ready. `make test` starts a stack of its own for
/// them (ROUTING_INSTANCE=test, empty at every run, beside the user's make up) and names its services in the
/// environment (.local/test/stack.env); without those the tests fail, they never skip and never fall back
/// to the user's stack.
/// </summary>
public static class LocalStack
{
    public static string Routing => Address("ROUTING_URL");
    public static string Gateway => Address("GATEWAY_URL");
    public static string Sms => Address("SMS_ADAPTER_URL");
    public static string Facebook => Address("FACEBOOK_ADAPTER_URL");
    public static string WhatsApp => Address("WHATSAPP_ADAPTER_URL");
    public static string Twitter => Address("TWITTER_ADAPTER_URL");
    public static string Email => Address("EMAIL_ADAPTER_URL");
    public static string Telegram => Address("TELEGRAM_ADAPTER_URL");
    public static string Instagram => Address("INSTAGRAM_ADAPTER_URL");
    public static string Sandbox => Address("PROVIDER_SANDBOX_URL");

    /// <summary>The webhook address of an adapter by its service name: sms, facebook, whatsapp, twitter, email, telegram, instagram.</summary>
    public static string Adapter(string name) => Address(name.ToUpperInvariant() + "_ADAPTER_URL");

    /// <summary>The channels of deploy/channels.tsv, each with an adapter in the stack.</summary>
    public static IReadOnlyList<string> Channels { get; } = File.ReadAllLines(Path.Combine(AdapterProcess.RepositoryRoot, "deploy", "channels.tsv"))
        .Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line => line.Split('\t')[0]).ToList();

    /// <summary>The support mailbox the stack's email adapter reads (deploy/local/dev.env).</summary>
    public const string SupportMailbox = "support@example.com";

    public static IReadOnlyDictionary<string, string> Secrets => AdapterProcess.DevSecrets;

    /// <summary>The dev-only password of a local broker user (deploy/rabbitmq/definitions.json; mq_password in deploy/local/instance.sh).</summary>
    public static string BrokerPassword(string user) => $"dev-rabbitmq-{user}";

    /// <summary>A client for routing's API with the stack's admin operator token (dev.env); other services never see it.</summary>
    public static HttpClient RoutingApi(TimeSpan timeout)
    {
        var client = new HttpClient { Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Secrets["Routing__Api__Tokens__operator__Token"]);
        return client;
    }

    public static async Task RequireReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var service in new[] { Routing, Gateway, Sandbox }.Concat(Channels.Select(Adapter)))
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

    private static string Address(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } url
            ? url.TrimEnd('/')
            : throw new InvalidOperationException($"{variable} is not set: the end-to-end tests and the fault campaign run on a stack of their own, which " +
                "`make test` (or `make chaos`) starts (ROUTING_INSTANCE=test deploy/local/infra.sh up and stack.sh up, then source .local/test/env and .local/test/stack.env).");

    /// <summary>What the provider sandbox received, newest last.</summary>
    public static async Task<JsonElement> SentAsync(HttpClient http) => await http.GetFromJsonAsync<JsonElement>(Sandbox + "/sent");
}
