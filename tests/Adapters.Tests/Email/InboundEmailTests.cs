using Routing.MailText;
using Routing.Adapters.Email.Mime;
using Routing.Contracts;

namespace Adapters.Tests.Email;

/// <summary>How each kind of mail is normalized, or why it is not routed.</summary>
public sealed class InboundEmailTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);

    private static readonly string[] TrustedServers = ["mx.example.com"];

    private static EmailReading Read(string sample) =>
        InboundEmail.Read(EmailSamples.Parse(sample), "support@example.com", "fallback@imap", ReceivedAt, [], TrustedServers);

    /// <summary>Over IMAP the receiving server's verdict is the only one: its topmost Authentication-Results, when it is a server we trust.</summary>
    [Theory]
    [InlineData("Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=maria.rossi@example.net; dkim=pass header.d=example.net\n", true,
        "verified: spf=pass (example.net), dkim=pass (example.net)")]
    [InlineData("Authentication-Results: mx.example.com; dmarc=pass (p=reject) header.from=example.net\n", true, "verified: dmarc=pass (example.net)")]
    // a forger's own domain passes, the From's does not
    [InlineData("Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=x@attacker.example; dkim=pass header.d=attacker.example; dmarc=fail header.from=example.net\n",
        false, "unverified: spf=pass (attacker.example), dkim=pass (attacker.example), dmarc=fail (example.net)")]
    // the forger wrote a pass under the trusted server's name; the server's own header, on top, says fail
    [InlineData("Authentication-Results: mx.example.com; dmarc=fail header.from=example.net\nAuthentication-Results: mx.example.com; dmarc=pass header.from=example.net\n",
        false, "unverified: dmarc=fail (example.net)")]
    // a header of a server we do not trust, and none of ours: nobody vouched
    [InlineData("Authentication-Results: mail.attacker.example; dmarc=pass header.from=example.net\n", false, "unverified: none")]
    [InlineData("", false, "unverified: none")]
    public void Should_verify_the_sender_only_from_a_trusted_servers_authentication_results(string headers, bool verified, string summary)
    {
        var message = Read(headers + EmailSamples.GmailReply).Message!;

        Assert.Equal(verified, message.SenderVerified);
        Assert.Equal(summary, message.Metadata[InboundEmail.SenderAuthenticationKey]);
    }

    [Fact]
    public void Should_thread_a_gmail_reply_and_keep_only_the_new_text()
    {
        var message = Read(EmailSamples.GmailReply).Message!;

        Assert.Equal(MessageIds.ForInbound("email", "CAF=reply1042@mail.gmail.com"), message.MessageId);
        Assert.Equal(("CAF=root1042@mail.gmail.com", "reply-1042@example.com"), (message.ThreadKey, message.ReplyToProviderMessageId));
        Assert.Equal(("email", "maria.rossi@example.net", "Maria Rossi"), (message.Sender.Kind, message.Sender.Value, message.Sender.DisplayName));
        Assert.Equal(("support@example.com", "Re: Invoice 1042"), (message.ChannelAccount, message.Subject));
        Assert.Equal("Thanks, that works. Could you also send the receipt?", message.Text);
        Assert.Contains("> Hi Maria, the invoice is attached.", message.Metadata[InboundEmail.FullText]);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 12, 3, TimeSpan.Zero), message.ProviderTimestamp);
    }

    [Fact]
    public void Should_read_html_only_outlook_mail_as_text_without_the_quoted_message()
    {
        var message = Read(EmailSamples.OutlookHtmlOnly).Message!;

        Assert.Equal("Hello,\nthe refund has not arrived yet & the order page (https://shop.example.com/orders/1042) still says pending.\nRegards,\nLuca", message.Text);
        Assert.Contains("Sent: Friday, November 20, 2026 5:10 PM", message.Metadata[InboundEmail.FullText]);
        Assert.Equal(("refund-1042@example.com", "refund-1042@example.com"), (message.ThreadKey, message.ReplyToProviderMessageId));
    }

    [Fact]
    public void Should_drop_the_mobile_signature_and_quoted_history_of_an_iphone_reply()
    {
        var message = Read(EmailSamples.IPhoneReply).Message!;

        Assert.Equal("Can we move it to Thursday? — Giulia", message.Text);
        Assert.Equal("appt-7@example.com", message.ThreadKey);
    }

    [Fact]
    public void Should_start_a_thread_of_its_own_with_attachments_as_metadata_and_no_signature()
    {
        var message = Read(EmailSamples.NewWithAttachment).Message!;

        Assert.Equal("parcel-photo-1@example.org", message.ThreadKey);
        Assert.Null(message.ReplyToProviderMessageId);
        Assert.Equal("The parcel arrived broken, photo attached.", message.Text);
        var attachment = Assert.Single(message.Attachments);
        Assert.Equal(("image/jpeg", "parcel.jpg", 57L, (string?)null), (attachment.ContentType, attachment.FileName, attachment.SizeBytes, attachment.Url));
    }

    [Theory]
    [InlineData(EmailSamples.GmailVacation, "auto-submitted: auto-replied")]
    [InlineData(EmailSamples.Exchange2010OutOfOffice, "out-of-office")]
    [InlineData(EmailSamples.VacationResponder, "auto-reply header")]
    public void Should_not_route_automatic_replies(string sample, string reason)
    {
        var reading = Read(sample);

        Assert.Null(reading.Message);
        Assert.Null(reading.Bounced);
        Assert.Equal(reason, reading.NotRoutedReason);
    }

    [Fact]
    public void Should_route_mail_that_says_it_is_not_automatic()
    {
        Assert.Equal("A person wrote this.", Read(EmailSamples.AutoSubmittedNo).Message?.Text);
    }

    [Fact]
    public void Should_turn_a_bounce_of_our_reply_into_a_failed_status()
    {
        var reading = Read(EmailSamples.PostfixBounce);

        Assert.Null(reading.Message);
        Assert.Equal("bounce", reading.NotRoutedReason);
        var failed = reading.Bounced!;
        Assert.Equal(("orig-1@example.com", "failed", "5.1.1"), (failed.ProviderMessageId, failed.Status, failed.ErrorCode));
        Assert.Equal("someone@undeliverable.example.org", failed.Recipient?.Value);
    }

    [Fact]
    public void Should_use_the_fallback_id_when_the_mail_has_no_message_id()
    {
        var message = Read(EmailSamples.NoMessageId).Message!;

        Assert.Equal(("fallback@imap", MessageIds.ForInbound("email", "fallback@imap")), (message.ProviderMessageId, message.MessageId));
    }

    [Theory]
    [InlineData("Yes please.\n\nOn Mon, 23 Nov 2026 at 10:00, Support <s@example.com> wrote:\n> Shall we?", "Yes please.")]
    [InlineData("Oui.\n\nLe lun. 23 nov. 2026 à 10:00, Support <s@example.com> a écrit :\n> Alors ?", "Oui.")]
    [InlineData("Ja.\n\nAm 23.11.2026 um 10:00 schrieb Support <s@example.com>:\n> Und?", "Ja.")]
    [InlineData("Fine.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nWhat now?", "Fine.")]
    [InlineData("Fine.\n-- \nJane Doe, ACME", "Fine.")]
    [InlineData("> only a quote\n> nothing else", "> only a quote\n> nothing else")]
    [InlineData("I think > is greater than <, right?\nYes.", "I think > is greater than <, right?\nYes.")]
    public void Should_trim_quotes_and_signatures_the_way_clients_write_them(string text, string expected) =>
        Assert.Equal(expected, ReplyText.Strip(text));
}
