using MassTransit;
using Routing.Contracts;
using Routing.Demo;

// make run: the story through the real broker and routing API, then live decisions until Ctrl-C.
var rabbit = new Uri(Environment.GetEnvironmentVariable("ROUTING_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/");
var routingUrl = Endpoints.Routing;
var printer = new DecisionPrinter();

var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
{
    var user = rabbit.UserInfo.Split(':');
    cfg.Host(rabbit.Host, (ushort)rabbit.Port, "/", h =>
    {
        h.Username(Uri.UnescapeDataString(user[0]));
        h.Password(Uri.UnescapeDataString(user.ElementAtOrDefault(1) ?? ""));
    });
    cfg.ReceiveEndpoint(new TemporaryEndpointDefinition("routing-demo"), e =>
    {
        e.Handler<MessageRouted>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<ConversationAssigned>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<ConversationHeld>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<ConversationQueued>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<ConversationReleased>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<ConversationClosed>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<OutboundMessageSent>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<OutboundMessageFailed>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<ConversationTransferEnded>(c => { printer.On(c.Message); return Task.CompletedTask; });
        e.Handler<ConversationAutoReplied>(c => { printer.On(c.Message); return Task.CompletedTask; });
    });
});

await bus.StartAsync();
try
{
    using var api = new HttpClient { BaseAddress = new Uri(routingUrl) };
    // routing's API takes an operator token (Routing:Api:Tokens); dev.env's admin one
    api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
        Environment.GetEnvironmentVariable("Routing__Api__Tokens__operator__Token")
        ?? throw new InvalidOperationException("Routing__Api__Tokens__operator__Token is not set: make run loads deploy/local/dev.env"));
    var console = $"{routingUrl.TrimEnd('/')}/console";
    Console.WriteLine($"Watch it live in the supervisors' console: {console} (sign in with the operator token in deploy/local/dev.env, " +
                      $"Routing__Api__Tokens__operator__Token: {Environment.GetEnvironmentVariable("Routing__Api__Tokens__operator__Token")}).\n");
    await new Story(api, printer).PlayAsync();
    if (args.Contains("--stay"))
    {
        Console.WriteLine($"\nThe stack stays up: the supervisors' console {console}, routing API {routingUrl} (bearer token Routing__Api__Tokens__operator__Token in deploy/local/dev.env), RabbitMQ management http://127.0.0.1:15672 (guest/guest),");
        Console.WriteLine($"agent gateway {Endpoints.Gateway},\nwebhooks at {Endpoints.Sms}, {Endpoints.Facebook}, {Endpoints.WhatsApp}, {Endpoints.Twitter}, {Endpoints.Email}, {Endpoints.Telegram}, {Endpoints.Instagram} (secrets: deploy/local/dev.env), what adapters sent at {Endpoints.Sandbox}/sent.");
        Console.WriteLine("Decisions keep printing here as they happen. Ctrl-C stops the story; `make down` stops the stack.");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        await stop.Task;
    }
}
finally
{
    await bus.StopAsync();
}

/// <summary>Where make up's services listen (stack.sh); each may be overridden from the environment.</summary>
internal static class Endpoints
{
    public static string Routing => Get("ROUTING_URL", "http://127.0.0.1:5080/");
    public static string Sms => Get("SMS_ADAPTER_URL", "http://127.0.0.1:5101");
    public static string Facebook => Get("FACEBOOK_ADAPTER_URL", "http://127.0.0.1:5102");
    public static string WhatsApp => Get("WHATSAPP_ADAPTER_URL", "http://127.0.0.1:5103");
    public static string Twitter => Get("TWITTER_ADAPTER_URL", "http://127.0.0.1:5104");
    public static string Email => Get("EMAIL_ADAPTER_URL", "http://127.0.0.1:5105");
    public static string Telegram => Get("TELEGRAM_ADAPTER_URL", "http://127.0.0.1:5107");
    public static string Instagram => Get("INSTAGRAM_ADAPTER_URL", "http://127.0.0.1:5108");
    public static string Sandbox => Get("PROVIDER_SANDBOX_URL", "http://127.0.0.1:5190");
    public static string Gateway => Get("GATEWAY_URL", "http://127.0.0.1:5090");

    private static string Get(string variable, string fallback) => Environment.GetEnvironmentVariable(variable) ?? fallback;
}
