using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// The supervisors' console's server side on a real database and broker: who may see it, who may act, forged and stale
/// forms, sessions shared by replicas through the key ring in PostgreSQL, search, a merge's preview that changes nothing,
/// and the change stream. (tests/Routing.ConsoleTests drive it in a browser.)
/// </summary>
public sealed partial class SupervisorConsoleTests : BrokerTest
{
    [Fact]
    public async Task Should_send_a_visitor_to_sign_in_and_refuse_the_event_stream_and_actions_without_a_session()
    {
        using var visitor = Browser(App);

        var page = await visitor.GetAsync("/console");
        var stream = await visitor.GetAsync("/console/events");
        var action = await visitor.PostAsync("/console/agents/anna/presence", new FormUrlEncodedContent(new Dictionary<string, string> { ["presence"] = "away" }));

        Assert.Equal((HttpStatusCode.Redirect, "/console/sign-in?ReturnUrl=%2Fconsole"), (page.StatusCode, page.Headers.Location?.PathAndQuery));
        Assert.Equal(HttpStatusCode.Unauthorized, stream.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, action.StatusCode);
    }

    [Fact]
    public async Task Should_not_let_the_api_token_stand_in_for_a_session()
    {
        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // the API's bearer token: good for /agents, not for the console, whose actions need the session and the form token
        var page = await client.GetAsync("/console");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task Should_refuse_a_wrong_token_a_sign_in_without_its_form_token_and_a_return_to_another_site()
    {
        using var visitor = Browser(App);

        var wrong = await SignInAsync(visitor, "not-one-of-routings-operator-tokens");
        var forged = await visitor.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = RoutingApp.AdminToken }));
        var elsewhere = await SignInAsync(visitor, RoutingApp.AdminToken, returnUrl: "//evil.example/console");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("not one of routing's operator tokens", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("reload the page and try again", await forged.Content.ReadAsStringAsync());
        Assert.Equal("/console", elsewhere.Headers.Location?.OriginalString);
        var cookie = Assert.Single(elsewhere.Headers.GetValues("Set-Cookie"), c => c.StartsWith("routing_console="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/console", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(RoutingApp.AdminToken, cookie);
    }

    [Fact]
    public async Task Should_refuse_a_form_posted_without_its_token_and_change_nothing()
    {
        await CreateAgentAsync("forged-anna", 2, ["sms"]);
        using var admin = Browser(App);
        await SignedInAsync(admin, RoutingApp.AdminToken);

        // a post another site could make: the session cookie, but no form token
        var forged = await admin.PostAsync("/console/agents/forged-anna/presence", new FormUrlEncodedContent(new Dictionary<string, string> { ["presence"] = "offline" }));
        var real = await PostFormAsync(admin, "/console/agents/forged-anna", "/console/agents/forged-anna/presence", new() { ["presence"] = "away" });

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal((HttpStatusCode.Redirect, "/console/agents/forged-anna?done=presence"), (real.StatusCode, real.Headers.Location?.OriginalString));
        Assert.Equal("away", (await Api.GetFromJsonAsync<JsonElement>("/agents/forged-anna")).GetProperty("presence").GetString());
    }

    [Fact]
    public async Task Should_show_everything_to_a_read_only_operator_and_refuse_every_action()
    {
        await CreateAgentAsync("read-ben", 2, ["sms"]);
        using var viewer = Browser(App);
        await SignedInAsync(viewer, RoutingApp.ReadToken);

        var floor = await viewer.GetStringAsync("/console");
        var refused = await PostFormAsync(viewer, "/console/agents/read-ben", "/console/agents/read-ben/presence", new() { ["presence"] = "offline" });

        Assert.Contains("viewer (read only)", floor);
        Assert.Contains("href=\"/console/agents/read-ben\"", floor);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("may read, not change", await refused.Content.ReadAsStringAsync());
        Assert.Equal("available", (await Api.GetFromJsonAsync<JsonElement>("/agents/read-ben")).GetProperty("presence").GetString());
    }

    /// <summary>A comment under the Page's post is for everyone to read: the floor and the conversation say so, with a link to it.</summary>
    [Fact]
    public async Task Should_mark_a_public_comment_on_the_floor_and_in_the_timeline_with_its_link()
    {
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var comment = TestMessages.Inbound(Channels.Facebook, "facebook-user", "3587261794680021", "838212218440829_1150336279598617",
            "Is anyone <listening>?", "Paolo Conti") with
        {
            Visibility = MessageVisibility.Public,
            Post = new PublicPost
            {
                PostId = "1353269864728879_838212218440829", Kind = "comment",
                Permalink = "https://www.facebook.com/1353269864728879/posts/838212218440829?comment_id=1150336279598617",
            },
            ThreadKey = "1353269864728879_838212218440829",
        };
        var direct = TestMessages.Inbound(Channels.WhatsApp, "phone", "+393331230077", text: "A private hello", displayName: "Pia Privata");
        await Broker.PublishAsync(comment);
        await Broker.PublishAsync(direct);
        var conversation = (await routed.WaitForAsync(r => r.MessageId == comment.MessageId)).ConversationId;
        var other = (await routed.WaitForAsync(r => r.MessageId == direct.MessageId)).ConversationId;
        using var reader = Browser(App);
        await SignedInAsync(reader, RoutingApp.ReadToken);

        var page = WebUtility.HtmlDecode(await reader.GetStringAsync($"/console/conversations/{conversation}"));
        var privately = WebUtility.HtmlDecode(await reader.GetStringAsync($"/console/conversations/{other}"));
        var floor = await reader.GetStringAsync("/console");

        Assert.Matches("data-channel>facebook, in public<", page);
        Assert.Matches("data-public>in public: a comment on facebook<", page);
        Assert.Contains("href=\"https://www.facebook.com/1353269864728879/posts/838212218440829?comment_id=1150336279598617\" rel=\"noopener noreferrer\"", page);
        Assert.Contains("Is anyone <listening>?", page);
        Assert.Matches("data-channel>whatsapp<", privately);
        Assert.DoesNotContain("data-public", privately);
        Assert.Contains("<td>facebook, in public</td>", floor); // queued: no agent serves facebook here
    }

    [Fact]
    public async Task Should_keep_a_session_on_another_replica_by_the_key_ring_in_postgres()
    {
        await using var second = StartApp();
        using var probe = second.CreateClient();
        await WaitReadyAsync(probe);
        using var first = Browser(App);
        var signIn = await SignInAsync(first, RoutingApp.AdminToken);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("routing_console=")).Split(';')[0];

        using var other = Browser(second);
        other.DefaultRequestHeaders.Add("Cookie", cookie);
        var floor = await other.GetAsync("/console");

        Assert.Equal(HttpStatusCode.OK, floor.StatusCode);
        Assert.Contains("tests (admin)", await floor.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Should_find_a_customer_by_a_phone_number_in_any_spelling_and_by_the_start_of_a_name()
    {
        var customer = await WriteAsync("+393331234567", "Giulia Bianchi");
        using var admin = Browser(App);
        await SignedInAsync(admin, RoutingApp.AdminToken);

        var byNumber = await admin.GetStringAsync("/console/search?q=" + Uri.EscapeDataString("0039 333 123 4567"));
        var byName = await admin.GetStringAsync("/console/search?q=giulia%20b");
        var nobody = await admin.GetStringAsync("/console/search?q=" + Uri.EscapeDataString("nobody%_by_this_name"));

        Assert.Contains($"href=\"/console/customers/{customer}\"", byNumber);
        Assert.Contains($"href=\"/console/customers/{customer}\"", byName);
        Assert.Contains("No customer found", nobody);
    }

    [Fact]
    public async Task Should_show_what_agents_wrote_about_a_customer_and_their_tags()
    {
        var customer = await WriteAsync("+393331230099", "Nadia Conte");
        (await Api.PostAsJsonAsync($"/customers/{customer}/notes", new { note = "Prefers <b>calls</b> after 5 pm", addTags = new[] { "vip" } })).EnsureSuccessStatusCode();
        using var reader = Browser(App);
        await SignedInAsync(reader, RoutingApp.ReadToken);

        var page = await reader.GetStringAsync($"/console/customers/{customer}");

        Assert.Contains("Prefers &lt;b&gt;calls&lt;/b&gt; after 5 pm", page);
        Assert.Contains("operator:tests", page);
        Assert.Matches("data-tags>\\s*vip", page);
    }

    [Fact]
    public async Task Should_preview_a_merge_without_changing_anything_then_merge_and_unmerge()
    {
        var stays = await WriteAsync("+393330000001", "Marta Rossi");
        var merged = await WriteAsync("+393330000002", "Marta R.");
        using var admin = Browser(App);
        await SignedInAsync(admin, RoutingApp.AdminToken);

        var preview = WebUtility.HtmlDecode(await admin.GetStringAsync($"/console/customers/{stays}/merge?other={Uri.EscapeDataString("+39 333 000 0002")}"));
        var untouched = await Api.GetFromJsonAsync<JsonElement>($"/customers/{merged}");
        var merge = await PostFormAsync(admin, $"/console/customers/{stays}/merge?other={merged}", $"/console/customers/{stays}/merge", new() { ["other"] = merged.ToString() });
        var afterMerge = await Api.GetFromJsonAsync<JsonElement>($"/customers/{merged}");
        var unmerge = await PostFormAsync(admin, $"/console/customers/{stays}", $"/console/customers/{stays}/unmerge", new() { ["merged"] = merged.ToString() });
        var afterUnmerge = await Api.GetFromJsonAsync<JsonElement>($"/customers/{merged}");

        Assert.Contains("Merge Marta R. into Marta Rossi", preview);
        Assert.Contains("phone: +393330000002", preview);
        Assert.Contains("is closed into it", preview);
        Assert.Equal(JsonValueKind.Null, untouched.GetProperty("mergedInto").ValueKind);
        Assert.Equal((HttpStatusCode.Redirect, $"/console/customers/{stays}?done=merged"), (merge.StatusCode, merge.Headers.Location?.OriginalString));
        Assert.Equal(stays, afterMerge.GetProperty("mergedInto").GetGuid());
        Assert.Equal(HttpStatusCode.Redirect, unmerge.StatusCode);
        Assert.Equal(JsonValueKind.Null, afterUnmerge.GetProperty("mergedInto").ValueKind);
    }

    [Fact]
    public async Task Should_tell_an_open_page_when_the_floor_changes()
    {
        await CreateAgentAsync("stream-cleo", 2, ["sms"]);
        using var admin = Browser(App);
        await SignedInAsync(admin, RoutingApp.AdminToken);
        var floor = await admin.GetStringAsync("/console");
        var events = WebUtility.HtmlDecode(DataEvents().Match(floor).Groups[1].Value);

        using var response = await admin.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("event: ready", await reader.ReadLineAsync());
        (await Api.PutAsJsonAsync("/agents/stream-cleo/presence", new { status = "away" })).EnsureSuccessStatusCode();

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line;
        do
        {
            line = await reader.ReadLineAsync(patience.Token);
        }
        while (line is not null && line != "event: changed");
        Assert.Equal("event: changed", line);
    }

    [GeneratedRegex("data-events=\"([^\"]+)\"")]
    private static partial Regex DataEvents();

    [GeneratedRegex("name=\"__console_form\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    /// <summary>A browser-like client of <paramref name="app"/>: cookies kept, redirects shown, no API token.</summary>
    private static HttpClient Browser(RoutingApp app)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string token, string returnUrl = "/console")
    {
        var form = await client.GetStringAsync("/console/sign-in");
        return await client.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__console_form"] = FormToken().Match(form).Groups[1].Value,
            ["token"] = token,
            ["returnUrl"] = returnUrl,
        }));
    }

    private static async Task SignedInAsync(HttpClient client, string token) =>
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, token)).StatusCode);

    /// <summary>Posts a form as the page at <paramref name="page"/> would, with the form token that page carries.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, string action, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(page);
        fields["__console_form"] = FormToken().Match(html).Groups[1].Value;
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    /// <summary>A WhatsApp customer writes; their customer id once routed.</summary>
    private async Task<Guid> WriteAsync(string phone, string name)
    {
        await Broker.PublishAsync(TestMessages.Inbound(Channels.WhatsApp, "phone", phone, displayName: name));
        Guid? id = null;
        await Eventually.TrueAsync($"{name} routed", async () =>
        {
            var lookup = await Api.GetAsync($"/customers/lookup?kind=phone&value={Uri.EscapeDataString(phone)}");
            if (lookup.IsSuccessStatusCode)
            {
                id = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            }
            return id is not null;
        });
        return id!.Value;
    }
}
