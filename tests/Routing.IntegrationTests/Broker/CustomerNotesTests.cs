using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// Agents' notes and tags on a customer (issue 24): what one agent writes in a conversation reaches the next agent who serves
/// the customer, with who wrote it and when; only an agent who served the conversation may write; operators read, write and
/// remove them through the API; bad input is refused with the field at fault and never quoted.
/// </summary>
public sealed class CustomerNotesTests : BrokerTest
{
    [Fact]
    public async Task Should_give_the_next_agent_what_the_last_one_wrote_about_the_customer()
    {
        await CreateAgentAsync("anna", 5, ["whatsapp"]);
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        var first = TestMessages.Inbound("whatsapp", "phone", "+393331234567", "wamid-n1", "My order is late", "Maria Rossi");
        await Broker.PublishAsync(first);
        var toAnna = await assigned.WaitForAsync(a => a.AgentId == "anna");
        var note = new AnnotateCustomer
        {
            AnnotationId = Guid.NewGuid(), ConversationId = toAnna.ConversationId, AgentId = "anna", Note = "Prefers a call after 5 pm; order 1042 was resent.",
            AddTags = ["VIP", "#returns"], CustomerName = "Maria Grazia Rossi", At = DateTimeOffset.UtcNow,
        };
        await Broker.PublishAsync(note);
        await Broker.PublishAsync(note);
        await Eventually.TrueAsync("the note kept", async () => (await NotesAsync(toAnna.CustomerId)).GetProperty("notes").GetArrayLength() == 1);
        (await Api.PostAsync($"/conversations/{toAnna.ConversationId}/close", null)).EnsureSuccessStatusCode();
        (await Api.PutAsJsonAsync("/agents/anna/presence", new { status = "offline" })).EnsureSuccessStatusCode();
        await CreateAgentAsync("ben", 5, ["whatsapp"]);

        await Broker.PublishAsync(TestMessages.Inbound("whatsapp", "phone", "+393331234567", "wamid-n2", "Any news?", "Maria Rossi"));
        var toBen = await assigned.WaitForAsync(a => a.AgentId == "ben");

        var shown = Assert.Single(toBen.CustomerNotes);
        Assert.Equal(("anna", "Prefers a call after 5 pm; order 1042 was resent.", toAnna.ConversationId), (shown.Author, shown.Text, shown.ConversationId));
        Assert.Equal(["returns", "vip"], toBen.CustomerTags);
        Assert.Equal("Maria Grazia Rossi", toBen.CustomerDisplayName);
    }

    [Fact]
    public async Task Should_refuse_a_note_from_an_agent_who_never_served_the_conversation_without_quoting_it()
    {
        await CreateAgentAsync("anna", 5, ["sms"]);
        await using var assigned = await Broker.ObserveAsync<ConversationAssigned>();
        await Broker.PublishAsync(TestMessages.Inbound("sms", "phone", "+14155550101", "SM-n1"));
        var conversation = (await assigned.WaitForAsync(a => a.AgentId == "anna")).ConversationId;

        await Broker.PublishAsync(Annotation(conversation, "mallory", "secret gossip about the customer"));
        await Broker.PublishAsync(Annotation(conversation, "anna", null, addTags: ["not a tag!"]));
        await Broker.PublishAsync(Annotation(conversation, "anna", new string('x', 2001)));
        await Broker.PublishAsync(Annotation(conversation, "anna", "A fine note"));

        var reasons = (await WaitForErrorsAsync("annotate-customer_error", 3)).Select(e => e.Headers.GetValueOrDefault("MT-Fault-Message", "")).ToList();
        Assert.Contains(reasons, r => r.Contains("conversationId", StringComparison.Ordinal) && r.Contains("mallory", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("addTags", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("note: is longer than 2000", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Contains("gossip", StringComparison.Ordinal));
        await Eventually.TrueAsync("anna's note kept", async () =>
            (await NotesAsync((await assigned.WaitForAsync(a => a.AgentId == "anna")).CustomerId)).GetProperty("notes").EnumerateArray()
                .Select(n => n.GetProperty("text").GetString()).SequenceEqual(["A fine note"]));
    }

    [Fact]
    public async Task Should_let_operators_read_write_and_remove_notes_and_tags_with_the_right_tokens()
    {
        await CreateAgentAsync("anna", 5, ["sms"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var message = TestMessages.Inbound("sms", "phone", "+14155550102", "SM-n2");
        await Broker.PublishAsync(message);
        var customer = (await routed.WaitForAsync(r => r.MessageId == message.MessageId)).CustomerId;
        using var reader = App.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RoutingApp.ReadToken);

        var written = await Api.PostAsJsonAsync($"/customers/{customer}/notes", new { note = "Called back, all fine.", addTags = new[] { "callback" }, name = "Marco Bruni" });
        var badName = await Api.PostAsJsonAsync($"/customers/{customer}/notes", new { name = "Two\nlines" });
        var readerWrites = await reader.PostAsJsonAsync($"/customers/{customer}/notes", new { note = "no" });
        var badTag = await Api.PostAsJsonAsync($"/customers/{customer}/notes", new { addTags = new[] { "two words" } });
        var empty = await Api.PostAsJsonAsync($"/customers/{customer}/notes", new { note = "  " });
        var read = await reader.GetFromJsonAsync<JsonElement>($"/customers/{customer}/notes");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest),
            (written.StatusCode, readerWrites.StatusCode, badTag.StatusCode, empty.StatusCode));
        var note = read.GetProperty("notes")[0];
        Assert.Equal(("Called back, all fine.", "operator:tests"), (note.GetProperty("text").GetString(), note.GetProperty("author").GetString()));
        Assert.Equal(["callback"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal("Marco Bruni", (await Api.GetFromJsonAsync<JsonElement>($"/customers/{customer}")).GetProperty("displayName").GetString());
        var noteId = note.GetProperty("noteId").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"/customers/{customer}/notes/{noteId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/customers/{customer}/notes/{noteId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync($"/customers/{customer}/notes/{noteId}")).StatusCode);
        Assert.Equal(0, (await NotesAsync(customer)).GetProperty("notes").GetArrayLength());
    }

    private static AnnotateCustomer Annotation(Guid conversation, string agent, string? note, string[]? addTags = null) => new()
    {
        AnnotationId = Guid.NewGuid(), ConversationId = conversation, AgentId = agent, Note = note, AddTags = addTags ?? [], At = DateTimeOffset.UtcNow,
    };

    private async Task<JsonElement> NotesAsync(Guid customer) => await Api.GetFromJsonAsync<JsonElement>($"/customers/{customer}/notes");
}
