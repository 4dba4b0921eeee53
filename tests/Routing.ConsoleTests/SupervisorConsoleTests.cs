using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Routing.Adapters.Testing;
using Routing.Testing;

namespace Routing.ConsoleTests;

/// <summary>
/// A supervisor at the console, in Chromium, against the running local stack: a customer whose agent is away writes again,
/// the floor shows the conversation held for that agent as it happens (server-sent events, no reload), the supervisor
/// reassigns it and the timeline shows routing's receipt; every page passes axe's WCAG 2.1 AA rules.
/// </summary>
public sealed class SupervisorConsoleTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _routing = LocalStack.RoutingApi(TimeSpan.FromSeconds(30));
    private TestBroker _broker = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        await LocalStack.RequireReadyAsync();
        _broker = await TestBroker.AttachToStackAsync();
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: make test installs it (apt-get install chromium).");
        }
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _broker.DisposeAsync();
        _playwright.Dispose();
        _http.Dispose();
        _routing.Dispose();
    }

    [Fact]
    public async Task Should_show_a_customer_held_for_their_owner_as_it_happens_and_reassign_it_with_its_receipt()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        // The customer's conversations ask for a team of this test's own (the adapter's metadata "team"): no agent of another
        // test takes them, and their priority puts them before anything other tests left waiting.
        var team = $"console-{suffix}";
        var owner = $"owner-{suffix}";
        var other = $"other-{suffix}";
        var customer = new Customer(_broker, team, $"+4477009{Random.Shared.Next(10000, 99999)}", $"Carla Console {suffix}");

        await customer.WriteAsync("My order never came.");
        var first = await WaitForConversationAsync(customer, c => c.GetProperty("status").GetString() == "queued");
        (await _routing.PutAsJsonAsync($"{LocalStack.Routing}/customers/{first.GetProperty("customerId")}/priority", new { priority = 100 })).EnsureSuccessStatusCode();
        await CloseAsync(first);
        // Their owner takes their next conversation, then steps away; it is closed, so the one after is new.
        await customer.WriteAsync("Me again: my order never came.");
        var second = await WaitForConversationAsync(customer, c => c.GetProperty("status").GetString() == "queued");
        await CreateAgentAsync(owner, "Olive Owner", team, "available");
        second = await WaitForConversationAsync(customer, c => c.GetProperty("id").GetGuid() == second.GetProperty("id").GetGuid()
                                                                && c.GetProperty("agentId").GetString() == owner);
        (await _routing.PutAsJsonAsync($"{LocalStack.Routing}/agents/{owner}/presence", new { status = "away" })).EnsureSuccessStatusCode();
        await CloseAsync(second);

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page, LocalStack.Secrets["Routing__Api__Tokens__operator__Token"]);
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-connected", "true");

        await customer.WriteAsync("Hello? Anyone there?");
        var held = await WaitForConversationAsync(customer, c => c.GetProperty("status").GetString() == "held");
        var heldId = held.GetProperty("id").GetGuid();
        // the row arrives on the open page, pushed by the change stream
        var row = page.Locator($"section[data-live-region=held] tr[data-conversation='{heldId}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 15_000 });
        await Assertions.Expect(row.GetByRole(AriaRole.Link, new() { Name = owner })).ToBeVisibleAsync();
        await Assertions.Expect(row).ToContainTextAsync(customer.Name);
        await AssertAccessibleAsync(page, "the floor");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("floor"), FullPage = true });

        // Otto comes online: a free slot takes whatever waits on WhatsApp (other tests' leftovers), so he has room for many.
        await CreateAgentAsync(other, "Otto Other", team, "available", capacity: 100);
        await row.GetByRole(AriaRole.Link, new() { Name = customer.Name }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-status]")).ToHaveTextAsync("held for an owner");
        await Assertions.Expect(page.Locator(".timeline li").Last).ToContainTextAsync($"Held for {owner}");
        await AssertAccessibleAsync(page, "a held conversation");

        await page.GetByLabel("To agent").SelectOptionAsync(other);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reassign" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Reassigned" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-status]")).ToHaveTextAsync("with an agent");
        await Assertions.Expect(page.Locator("[data-agent-id]")).ToHaveTextAsync(other);
        await Assertions.Expect(page.Locator(".timeline li").Last).ToContainTextAsync($"Assigned to {other}: transferred");
        var after = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations/{heldId}");
        Assert.Equal(("open", other), (after.GetProperty("status").GetString(), after.GetProperty("agentId").GetString()));
        await AssertAccessibleAsync(page, "a reassigned conversation");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("reassigned"), FullPage = true });
    }

    [Fact]
    public async Task Should_refuse_a_wrong_token_and_keep_a_read_only_operator_from_acting()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 820, Height = 1180 } });
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{LocalStack.Routing}/console");
        Assert.EndsWith("/console/sign-in?ReturnUrl=%2Fconsole", page.Url);
        await page.GetByLabel("Operator token").FillAsync("not-one-of-the-operator-tokens-at-all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not one of routing's operator tokens");
        await AssertAccessibleAsync(page, "a refused sign-in");

        await SignInAsync(page, LocalStack.Secrets["Routing__Api__Tokens__viewer__Token"]);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Floor", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("viewer (read only)")).ToBeVisibleAsync();
        var agent = $"0000-viewed-{Guid.NewGuid().ToString("N")[..8]}";
        await CreateAgentAsync(agent, "Vera Viewed", "console-viewed", "offline");
        await page.GotoAsync($"{LocalStack.Routing}/console/agents/{agent}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Vera Viewed", Level = 1 })).ToBeVisibleAsync();
        // a read-only operator is shown no action
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Set presence" }).CountAsync());
        await AssertAccessibleAsync(page, "an agent's page on a tablet");
    }

    /// <summary>Where a page's picture goes: beside the test's binaries (make test keeps them for a look after a failure).</summary>
    private static string Screenshot(string name) => Path.Combine(AppContext.BaseDirectory, "screenshots", $"console-{name}.png");

    private async Task SignInAsync(IPage page, string token)
    {
        await page.GotoAsync($"{LocalStack.Routing}/console/sign-in");
        await page.GetByLabel("Operator token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Floor", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now: no violation, each one named if there is.</summary>
    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var violations = result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}").ToList();
        Assert.True(violations.Count == 0, $"axe found on {what}:\n" + string.Join("\n", violations));
    }

    private async Task CreateAgentAsync(string id, string name, string team, string presence, int capacity = 1)
    {
        var response = await _routing.PostAsJsonAsync($"{LocalStack.Routing}/agents",
            new { id, name, capacity, channels = new[] { "whatsapp" }, teams = new[] { team }, presence });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task CloseAsync(JsonElement conversation) =>
        (await _routing.PostAsync($"{LocalStack.Routing}/conversations/{conversation.GetProperty("id")}/close", null)).EnsureSuccessStatusCode();

    private async Task<JsonElement> WaitForConversationAsync(Customer customer, Func<JsonElement, bool> wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var lookup = await _routing.GetAsync($"{LocalStack.Routing}/customers/lookup?kind={customer.Kind}&value={Uri.EscapeDataString(customer.Value)}");
            if (lookup.IsSuccessStatusCode)
            {
                var id = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                var conversations = await _routing.GetFromJsonAsync<JsonElement>($"{LocalStack.Routing}/conversations?customerId={id}");
                if (conversations.EnumerateArray().FirstOrDefault(wanted) is { ValueKind: JsonValueKind.Object } found)
                {
                    return found;
                }
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The customer's conversation did not reach the state wanted in 30 s.");
    }

    /// <summary>
    /// A WhatsApp customer whose messages ask for <paramref name="Team"/>, as the adapter publishes them after verifying the
    /// provider's signature (the adapters' own tests and the end-to-end tests cover that part).
    /// </summary>
    private sealed record Customer(TestBroker Broker, string Team, string Phone, string Name)
    {
        public string Kind => "phone";

        public string Value => Phone;

        public Task WriteAsync(string text) =>
            Broker.PublishAsync(TestMessages.Inbound("whatsapp", "phone", Phone, providerMessageId: "wamid.console" + Guid.NewGuid().ToString("N"),
                text: text, displayName: Name, metadata: new Dictionary<string, string> { ["team"] = Team }));
    }
}
