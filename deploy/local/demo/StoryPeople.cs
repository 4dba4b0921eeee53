using System.Net.Http.Json;
using System.Text.Json;
using Routing.Contracts;
using Routing.Samples;

namespace Routing.Demo;

/// <summary>The story's people (issue 24): names from the providers' profiles, agents' notes, and a customer's data rights.</summary>
internal sealed partial class Story
{
    private const string BenSlack = "U0BEN00001";

    /// <summary>Who is behind a provider's id, as the provider's profile lookup will answer (the sandbox stands in for Meta's and X's APIs).</summary>
    private static async Task PutProfileAsync(string provider, string id, object profile) =>
        (await Http.PutAsJsonAsync($"{Endpoints.Sandbox}/profiles/{provider}/{id}", profile)).EnsureSuccessStatusCode();

    /// <summary>The customer's name once routing has it (the adapter's profile lookup comes after the webhook's answer).</summary>
    private async Task ShowNameAsync(Guid customerId, string source)
    {
        var customer = (JsonElement)await UntilAsync(async () =>
            await api.GetFromJsonAsync<JsonElement>($"/customers/{customerId}") is var c && c.GetProperty("displayName").ValueKind == JsonValueKind.String ? c : null);
        var address = customer.GetProperty("identities")[0];
        Console.WriteLine($"   GET /customers/{customerId}: \"{customer.GetProperty("displayName").GetString()}\" ({source}" +
            (address.TryGetProperty("handle", out var handle) && handle.ValueKind == JsonValueKind.String ? $", @{handle.GetString()}" : "") + ")");
    }

    /// <summary>Anna presses Note… on the conversation's opening in her Slack and submits the form; routing keeps the note with the customer.</summary>
    private async Task NoteInSlackAsync(MessageRouted conversation, string note, string tags)
    {
        var opening = (JsonElement)await UntilAsync(async () => (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).EnumerateArray()
            .Select(r => (JsonElement?)r).FirstOrDefault(r => r!.Value.GetProperty("provider").GetString() == "slack"
                && r.Value.GetProperty("body").TryGetProperty("channel", out var channel) && channel.GetString() == AnnaSlack
                && r.Value.GetProperty("body").ToString().Contains(conversation.ConversationId.ToString(), StringComparison.Ordinal)));
        var secret = Secret("Gateway__Slack__SigningSecret");
        using (var press = SampleWebhooks.SlackButton(Endpoints.Gateway, secret, AnnaSlack, "conversation.note", conversation.ConversationId.ToString(),
                   "D" + AnnaSlack[1..], opening.GetProperty("providerMessageId").GetString(), $"note-{_run}"))
        {
            Console.WriteLine($"   POST {press.RequestUri} (Slack's interactivity, signed): Anna presses Note…");
            (await Http.SendAsync(press)).EnsureSuccessStatusCode();
        }
        using var submit = SampleWebhooks.SlackNoteForm(Endpoints.Gateway, secret, AnnaSlack, conversation.ConversationId, note, tags);
        Console.WriteLine($"   POST {submit.RequestUri} (the form submitted): \"{note}\", tags {tags}");
        (await Http.SendAsync(submit)).EnsureSuccessStatusCode();
        await UntilAsync(async () => (await api.GetFromJsonAsync<JsonElement>($"/customers/{conversation.CustomerId}/notes")).GetProperty("notes").GetArrayLength() > 0 ? true : null);
        Console.WriteLine($"   GET /customers/{conversation.CustomerId}/notes: routing keeps it with Tom, not with the conversation");
    }

    /// <summary>The conversation's opening in Ben's Slack, with what Anna wrote about the customer.</summary>
    private static async Task ShowNotesInSlackAsync(MessageRouted conversation)
    {
        var opening = (JsonElement)await UntilAsync(async () => (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).EnumerateArray()
            .Select(r => (JsonElement?)r).FirstOrDefault(r => r!.Value.GetProperty("provider").GetString() == "slack"
                && r.Value.GetProperty("body").TryGetProperty("channel", out var channel) && channel.GetString() == BenSlack
                && r.Value.GetProperty("body").ToString().Contains(conversation.ConversationId.ToString(), StringComparison.Ordinal)
                && r.Value.GetProperty("body").ToString().Contains("Notes on the customer", StringComparison.Ordinal)));
        var notes = opening.GetProperty("body").GetProperty("blocks").EnumerateArray()
            .Select(b => b.TryGetProperty("text", out var t) && t.TryGetProperty("text", out var text) ? text.GetString() : null)
            .First(t => t?.StartsWith("*Notes on the customer*", StringComparison.Ordinal) == true)!;
        Console.WriteLine($"   Slack got chat.postMessage to {BenSlack} (Ben), opening the conversation with: {notes.Replace('\n', ' ')}");
    }

    /// <summary>Every customer of the story, by the name routing shows agents.</summary>
    private async Task ShowNamesAsync(params (string Who, MessageRouted Message)[] customers)
    {
        Say("15. Every customer of the story has a name, whatever their channel told (GET /customers/{id}):");
        foreach (var (who, message) in customers)
        {
            var customer = await api.GetFromJsonAsync<JsonElement>($"/customers/{message.CustomerId}");
            var kinds = string.Join(", ", customer.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).Distinct());
            Console.WriteLine($"           {who,-7} {customer.GetProperty("displayName").GetString() ?? "(no name)",-20} {kinds}");
        }
    }

    /// <summary>Lena asks what the shop holds about her, then to be forgotten: the export (routing's and the gateway's parts in one document), then the erasure.</summary>
    private async Task DataRightsAsync(MessageRouted lena)
    {
        Say($"16. Lena asks what the shop holds about her: POST /customers/{lena.CustomerId}/export (an admin token) gives one document, routing's");
        Say("    tables and the agent gateway's part, fetched from its admin API:");
        using var export = await api.PostAsync($"/customers/{lena.CustomerId}/export", null);
        export.EnsureSuccessStatusCode();
        var document = await export.Content.ReadFromJsonAsync<JsonElement>();
        static string Rows(JsonElement tables) => string.Join(", ", tables.EnumerateObject().Where(t => t.Value.GetArrayLength() > 0).Select(t => $"{t.Name} {t.Value.GetArrayLength()}"));
        Console.WriteLine($"           routing:       {Rows(document.GetProperty("tables"))}");
        Console.WriteLine($"           agent-gateway: {Rows(document.GetProperty("services").GetProperty("agent-gateway").GetProperty("tables"))}");
        Say($"    Then she asks to be forgotten: POST /customers/{lena.CustomerId}/erase. Her addresses go, her name and words are overwritten,");
        Say("    routing's statistics stay about nobody, and CustomerErased tells the gateway to remove its copies (the photo's bytes too):");
        using var erase = await api.PostAsync($"/customers/{lena.CustomerId}/erase", null);
        erase.EnsureSuccessStatusCode();
        var erasure = await erase.Content.ReadFromJsonAsync<JsonElement>();
        Console.WriteLine($"           erasure {erasure.GetProperty("erasureId").GetGuid()}: {string.Join(", ", erasure.GetProperty("rows").EnumerateObject().Where(r => r.Value.GetInt32() > 0).Select(r => $"{r.Name} {r.Value.GetInt32()}"))}");
        var after = (JsonElement)await UntilAsync(async () =>
        {
            using var again = await api.PostAsync($"/customers/{lena.CustomerId}/export", null);
            var d = await again.Content.ReadFromJsonAsync<JsonElement>();
            var gateway = d.GetProperty("services").GetProperty("agent-gateway").GetProperty("tables");
            return gateway.TryGetProperty("gateway_messages", out var messages) && messages.EnumerateArray().All(m => m.GetProperty("body").ValueKind == JsonValueKind.Null)
                && (!gateway.TryGetProperty("gateway_attachments", out var files) || files.GetArrayLength() == 0) ? d : null;
        });
        Console.WriteLine($"   The export now: no address ({after.GetProperty("tables").GetProperty("identities").GetArrayLength()} identities), no name, no words; " +
            "the gateway's messages kept as times and statuses only, and no file. Both audited by id (data_rights_audit).");
    }
}
