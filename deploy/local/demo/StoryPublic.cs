using System.Net.Http.Json;
using System.Text.Json;
using Routing.Contracts;
using Routing.Samples;

namespace Routing.Demo;

/// <summary>The story's public side (issue 25): a Facebook comment answered in public and by a private reply, and a follow-up the customer answers.</summary>
internal sealed partial class Story
{
    private const string ShopPost = "1353269864728879_838212218440829";

    /// <summary>Steps 13 and 14; returns the comment's routing (Paolo as one person, the commenter his Messenger customer was merged into).</summary>
    private async Task<MessageRouted> PublicCommentAsync(MessageRouted paoloOnMessenger)
    {
        var psid = paoloOnMessenger.Sender.Value;
        Say("13. Paolo's parcel never came. He comments under the shop's latest Facebook post, where everyone can read it. The Page's feed");
        Say("    webhook names him by the id the feed gives him (not his Messenger id): for now a new customer, whose public message is served");
        Say("    first (Routing:Public:Priority 50) and held at most 30 s for a busy preferred agent. Ben serves Facebook.");
        var commentId = $"838212218440829_11{_run}13";
        // who Meta will say wrote it, when the private reply reaches him: his Messenger id
        (await Http.PutAsJsonAsync($"{Endpoints.Sandbox}/commenters/facebook/{commentId}", new { recipient_id = psid })).EnsureSuccessStatusCode();
        var comment = await WebhookAsync(Channels.Facebook, commentId, SampleWebhooks.FacebookComment(Endpoints.Facebook, Secret("Facebook__AppSecret"),
            commentId, ShopPost, $"10{_run}13", "Paolo Conti", "My parcel never arrived and nobody answers the phone. Is anyone listening?"));
        await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == comment.ConversationId, Wait);
        var conversation = await api.GetFromJsonAsync<JsonElement>($"/conversations/{comment.ConversationId}");
        Console.WriteLine($"   GET /conversations/{comment.ConversationId}: {conversation.GetProperty("visibility").GetString()}, priority " +
            $"{conversation.GetProperty("priority").GetInt32()}, agent {conversation.GetProperty("agentId").GetString()}; the post: {comment.Post?.Permalink}");

        Say("    Ben's Slack thread says the comment is public, with a link to it. His first answer goes under it, for everyone to read;");
        Say("    the second begins \"private:\" and goes as Meta's private reply, which opens a Messenger conversation with Paolo.");
        await ReplyInSlackAsync(comment, "We're so sorry, Paolo! We have sent you a private message to sort it out.", BenSlack, "Ben");
        await ReplyInSlackAsync(comment, "private: Hi Paolo, Ben here. Which order is it? I will check with the courier at once.", BenSlack, "Ben");

        Say("    Meta's answer to the private reply names Paolo's Messenger id: routing joins it to the commenter (CustomerAddressLinked), merging");
        Say("    the Messenger customer of step 5 into him (reversibly: POST /customers/{id}/unmerge). One person again:");
        var customer = (JsonElement)await UntilAsync(async () =>
            await api.GetFromJsonAsync<JsonElement>($"/customers/{comment.CustomerId}") is var c && c.GetProperty("identities").GetArrayLength() >= 2 ? c : null);
        Console.WriteLine($"   GET /customers/{comment.CustomerId}: \"{customer.GetProperty("displayName").GetString()}\", " + string.Join(", ",
            customer.GetProperty("identities").EnumerateArray().Select(i => $"{i.GetProperty("kind").GetString()}: {i.GetProperty("value").GetString()}")));

        Say("    Paolo answers the private reply on Messenger: the same conversation, still Ben's.");
        var answer = await MessengerAsync(psid, "It's order 1042. Thank you for answering!");
        Console.WriteLine($"   conversation {answer.ConversationId} ({(answer.ConversationId == comment.ConversationId ? "the comment's" : "a new one")}), agent {answer.AgentId}");

        Say("14. Ben sends a replacement and closes the conversation with a follow-up (POST /conversations/{id}/close with followUp): in 5 s");
        Say("    here, three days in real life, Paolo is asked whether it arrived. The gateway sends it when due, as Ben's message on Paolo's channel.");
        using var ben = await AgentApiAsync("ben");
        // Ben closes what he was shown: routing keeps a conversation open when the customer wrote after it
        await UntilAsync(async () => (await ben.GetStringAsync($"/conversations/{comment.ConversationId}")).Contains("order 1042", StringComparison.Ordinal) ? true : null);
        (await ben.PostAsJsonAsync($"/conversations/{comment.ConversationId}/close", new
        {
            reason = "replacement sent",
            followUp = new { text = "Hi Paolo, did the replacement arrive? Ben", dueAt = DateTimeOffset.UtcNow.AddSeconds(5) },
        })).EnsureSuccessStatusCode();
        var followUp = (JsonElement)await UntilAsync(async () => (await Http.GetFromJsonAsync<JsonElement>(Endpoints.Sandbox + "/sent")).EnumerateArray()
            .Select(r => (JsonElement?)r).LastOrDefault(r => r!.Value.GetProperty("provider").GetString() == "facebook"
                && r.Value.GetProperty("body").ToString().Contains("did the replacement arrive", StringComparison.Ordinal)));
        Console.WriteLine($"   the sandbox got POST {followUp.GetProperty("path").GetString()}: {followUp.GetProperty("body")}");
        var listed = (await ben.GetFromJsonAsync<JsonElement>("/me/follow-ups?status=sent")).EnumerateArray().Last();
        Console.WriteLine($"   GET /me/follow-ups?status=sent (Ben): \"{listed.GetProperty("text").GetString()}\", {listed.GetProperty("status").GetString()}");

        Say("    Paolo answers. A new conversation: routing offers it to Ben first, the agent whose follow-up it answers (FollowUpSent).");
        var thanks = await MessengerAsync(psid, "Yes, it came this morning. All good!");
        var assigned = await printer.WaitForAsync<ConversationAssigned>(a => a.ConversationId == thanks.ConversationId, Wait);
        Console.WriteLine($"   conversation {thanks.ConversationId} to {assigned.AgentId}: {assigned.Receipt.Reason}");
        await CloseAsync(thanks.ConversationId, "ben");
        return comment;
    }

    /// <summary>An agent's own script: a client of the gateway's agent API with a token from the admin API.</summary>
    private static async Task<HttpClient> AgentApiAsync(string agent)
    {
        using var admin = Gateway(Secret("Gateway__AdminToken"));
        var token = (await (await admin.PostAsync($"/admin/agents/{agent}/tokens", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("token").GetString()!;
        return Gateway(token);
    }
}
