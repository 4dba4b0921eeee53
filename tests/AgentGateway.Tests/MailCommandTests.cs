using Routing.AgentGateway.Email;

namespace AgentGateway.Tests;

/// <summary>An agent's mail is a command only when its new text is one; anything else is a reply to the customer.</summary>
public sealed class MailCommandTests
{
    [Theory]
    [InlineData("accept", "Accept")]
    [InlineData("Accept.", "Accept")]
    [InlineData("decline", "Decline()")]
    [InlineData("Decline: on a call", "Decline(on a call)")]
    [InlineData("close", "Close()")]
    [InlineData("CLOSE: resolved on the phone", "Close(resolved on the phone)")]
    [InlineData("away", "Presence(away)")]
    [InlineData("Available!", "Presence(available)")]
    [InlineData("transfer to ben", "Transfer(ben, , False, )")]
    [InlineData("transfer to @ben.rossi: wants a refund", "Transfer(ben.rossi, , False, wants a refund)")]
    [InlineData("Warm transfer to team Billing\nShe needs a corrected invoice.\nOrder 1234.", "Transfer(, billing, True, She needs a corrected invoice.\nOrder 1234.)")]
    [InlineData("note: prefers calls after 5 pm", "Note(prefers calls after 5 pm; +; -)")]
    [InlineData("Note:\nShe moved to Milan.\nNew address in the CRM.", "Note(She moved to Milan.\nNew address in the CRM.; +; -)")]
    [InlineData("tag: vip, returns", "Note(; +vip,returns; -)")]
    [InlineData("untag: vip", "Note(; +; -vip)")]
    [InlineData("Name: Marco Bruni", "Note(; +; -; Marco Bruni)")]
    [InlineData("follow up in 3 days: Did the replacement arrive?", "FollowUp(3.00:00:00, Did the replacement arrive?)")]
    [InlineData("Follow-up in 12h: Still waiting?\nLet us know.", "FollowUp(12:00:00, Still waiting?\nLet us know.)")]
    [InlineData("followup in 2 weeks: How is the lamp?", "FollowUp(14.00:00:00, How is the lamp?)")]
    public void Should_read_a_command(string text, string expected)
    {
        var command = MailCommand.Parse(text);

        Assert.Equal(expected, command switch
        {
            MailCommand.AcceptCommand => "Accept",
            MailCommand.DeclineCommand d => $"Decline({d.Reason})",
            MailCommand.CloseCommand c => $"Close({c.Reason})",
            MailCommand.PresenceCommand p => $"Presence({p.Status})",
            MailCommand.TransferCommand t => $"Transfer({t.ToAgentId}, {t.ToTeam}, {t.Warm}, {t.Note})",
            MailCommand.FollowUpCommand f => $"FollowUp({f.After}, {f.Text})",
            MailCommand.NoteCommand n => $"Note({n.Note}; +{string.Join(",", n.AddTags)}; -{string.Join(",", n.RemoveTags)}{(n.Name is null ? "" : "; " + n.Name)})",
            _ => "none",
        });
    }

    [Theory]
    [InlineData("Hello, your parcel ships today.")]
    [InlineData("close the window and restart the router")]
    [InlineData("Accept\nand thank you")]
    [InlineData("away: for lunch")]
    [InlineData("transfer to")]
    [InlineData("transfer to team")]
    [InlineData("I will transfer to ben")]
    [InlineData("A note: your parcel ships today")]
    [InlineData("tag: vip\nand thanks")]
    public void Should_take_anything_else_as_a_reply(string text) => Assert.Null(MailCommand.Parse(text));
}
