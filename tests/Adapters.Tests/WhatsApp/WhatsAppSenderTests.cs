using Adapters.Tests.Meta;
using Microsoft.Extensions.DependencyInjection;
using Routing.Adapters.Outbound;
using Routing.Adapters.Testing;
using Routing.Adapters.WhatsApp.Cloud;
using Routing.Contracts;

namespace Adapters.Tests.WhatsApp;

/// <summary>The WhatsApp sender with its real resilience pipeline, against a local imitation of the Cloud API.</summary>
public sealed class WhatsAppSenderTests : IAsyncLifetime
{
    private ProviderApiImitation _api = null!;
    private ServiceProvider _services = null!;

    private IChannelSender Sender => _services.GetRequiredService<IChannelSender>();

    public async Task InitializeAsync()
    {
        _api = await GraphApiImitation.StartAsync();
        _services = Build(template: true);
    }

    private ServiceProvider Build(bool template)
    {
        var settings = new Dictionary<string, string?>
        {
            ["WhatsApp:AppSecret"] = WhatsAppCases.AppSecret,
            ["WhatsApp:VerifyToken"] = "unused",
            ["WhatsApp:AccessToken"] = "dev-whatsapp-access-token",
            ["WhatsApp:PhoneNumberIds:15550783881"] = "106540352242922",
            ["WhatsApp:GraphApiBaseUrl"] = _api.BaseUrl,
            ["Outbound:RetryBaseDelay"] = "00:00:00.050",
        };
        if (template)
        {
            settings["WhatsApp:ReengagementTemplate:Name"] = "reply_waiting";
            settings["WhatsApp:ReengagementTemplate:Language"] = "en_US";
        }
        return SenderServices.Build<WhatsAppSender>(settings, s => s.AddOptions<WhatsAppOptions>().BindConfiguration(WhatsAppOptions.Section));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Should_send_text_from_the_number_the_customer_wrote_to_as_a_reply()
    {
        _api.Then(GraphApiImitation.WhatsAppSent("wamid.sent1"));
        var command = Command();

        var outcome = await Sender.SendAsync(command, CancellationToken.None);

        Assert.Equal("wamid.sent1", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal("/v23.0/106540352242922/messages", request.Path);
        Assert.Equal("Bearer dev-whatsapp-access-token", request.Authorization);
        var json = request.Json;
        Assert.Equal(("whatsapp", "16505551234", "text"), (json.GetProperty("messaging_product").GetString(), json.GetProperty("to").GetString(), json.GetProperty("type").GetString()));
        Assert.Equal("Blue is back in stock.", json.GetProperty("text").GetProperty("body").GetString());
        Assert.Equal("wamid.customer1", json.GetProperty("context").GetProperty("message_id").GetString());
        // Meta hands it back in the message's statuses, so a send whose answer was lost is settled by them.
        Assert.Equal(command.CommandId.ToString("N"), json.GetProperty("biz_opaque_callback_data").GetString());
    }

    [Fact]
    public async Task Should_send_a_photo_by_its_link_with_the_text_as_its_caption()
    {
        _api.Then(GraphApiImitation.WhatsAppSent("wamid.photo1"));

        var outcome = await Sender.SendAsync(Command(Photo), CancellationToken.None);

        Assert.Equal("wamid.photo1", outcome.ProviderMessageId);
        var json = Assert.Single(_api.Requests).Json;
        Assert.Equal("image", json.GetProperty("type").GetString());
        Assert.Equal(("https://gateway.example.com/attachments/1/open?sig=1", "Blue is back in stock."),
            (json.GetProperty("image").GetProperty("link").GetString(), json.GetProperty("image").GetProperty("caption").GetString()));
        Assert.False(json.TryGetProperty("text", out _));
    }

    [Fact]
    public async Task Should_send_the_text_before_a_voice_note_which_takes_no_caption()
    {
        _api.Then(GraphApiImitation.WhatsAppSent("wamid.p1"), GraphApiImitation.WhatsAppSent("wamid.p2"));

        var outcome = await Sender.SendAsync(Command(Voice), CancellationToken.None);

        Assert.Equal("wamid.p2", outcome.ProviderMessageId);
        var sent = _api.Requests.Select(r => r.Json).ToList();
        Assert.Equal(["text", "audio"], sent.Select(j => j.GetProperty("type").GetString()));
        Assert.Equal(Voice.Url, sent[1].GetProperty("audio").GetProperty("link").GetString());
        Assert.False(sent[1].GetProperty("audio").TryGetProperty("caption", out _));
    }

    [Fact]
    public async Task Should_send_only_the_parts_that_did_not_go_when_a_reply_comes_again()
    {
        var command = Command(Voice, Invoice);
        _api.Then(GraphApiImitation.WhatsAppSent("wamid.q1"), GraphApiImitation.Error(400, 130429, "Rate limit hit"));

        var first = await Sender.SendAsync(command, CancellationToken.None);
        _api.Then(GraphApiImitation.WhatsAppSent("wamid.q2"));
        var again = await Sender.SendAsync(command, CancellationToken.None);

        Assert.Equal(("130429", false), (first.ErrorCode, first.Permanent));
        Assert.Contains("invoice-1042.pdf", first.ErrorMessage);
        Assert.Contains("1 of 2 messages went out before it", first.ErrorMessage);
        Assert.Equal("wamid.q2", again.ProviderMessageId);
        Assert.Equal(["audio", "document", "document"], _api.Requests.Select(r => r.Json.GetProperty("type").GetString()));
        // the text rides as the document's caption (the voice note takes none), and the document keeps its name
        var document = _api.Requests.Last().Json.GetProperty("document");
        Assert.Equal(("Blue is back in stock.", "invoice-1042.pdf"), (document.GetProperty("caption").GetString(), document.GetProperty("filename").GetString()));
    }

    [Fact]
    public async Task Should_refuse_files_once_the_window_has_closed_even_with_a_template()
    {
        var outcome = await Sender.SendAsync(Command(Photo) with { CustomerLastMessageAt = DateTimeOffset.UtcNow.AddHours(-25) }, CancellationToken.None);

        Assert.Equal(("131047", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Contains("files go only within the window", outcome.ErrorMessage);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Should_send_the_template_with_the_text_once_the_window_has_closed()
    {
        _api.Then(GraphApiImitation.WhatsAppSent("wamid.template1"));

        var outcome = await Sender.SendAsync(Command() with { CustomerLastMessageAt = DateTimeOffset.UtcNow.AddHours(-25) }, CancellationToken.None);

        Assert.Equal("wamid.template1", outcome.ProviderMessageId);
        var template = Assert.Single(_api.Requests).Json.GetProperty("template");
        Assert.Equal(("reply_waiting", "en_US"), (template.GetProperty("name").GetString(), template.GetProperty("language").GetProperty("code").GetString()));
        var parameter = template.GetProperty("components")[0].GetProperty("parameters")[0];
        Assert.Equal("Blue is back in stock.", parameter.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_fall_back_to_the_template_when_meta_refuses_the_text_with_131047()
    {
        _api.Then(GraphApiImitation.Error(400, 131047, "Re-engagement message"), GraphApiImitation.WhatsAppSent("wamid.template2"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("wamid.template2", outcome.ProviderMessageId);
        Assert.Equal(["text", "template"], _api.Requests.Select(r => r.Json.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Should_fail_permanently_with_131047_outside_the_window_without_a_template()
    {
        await using var services = Build(template: false);

        var outcome = await services.GetRequiredService<IChannelSender>().SendAsync(
            Command() with { CustomerLastMessageAt = DateTimeOffset.UtcNow.AddDays(-2) }, CancellationToken.None);

        Assert.Equal(("131047", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Empty(_api.Requests);
    }

    [Theory]
    [InlineData(400, 130429, false)] // throughput limit: a later attempt can pass
    [InlineData(400, 131056, false)] // pair rate limit
    [InlineData(401, 190, true)]     // the access token expired: needs a person, not a retry
    [InlineData(400, 131026, true)]  // undeliverable
    public async Task Should_map_meta_error_codes(int status, int code, bool permanent)
    {
        _api.Then(GraphApiImitation.Error(status, code, "refused"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal((code.ToString(System.Globalization.CultureInfo.InvariantCulture), permanent), (outcome.ErrorCode, outcome.Permanent));
        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Should_honour_retry_after_and_retry_5xx_then_succeed()
    {
        _api.Then(GraphApiImitation.Error(429, 4, "Application request limit reached", retryAfter: "1"),
            GraphApiImitation.Error(503, 2, "Service temporarily unavailable"), GraphApiImitation.WhatsAppSent("wamid.after"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("wamid.after", outcome.ProviderMessageId);
        Assert.Equal(3, _api.Requests.Count);
    }

    [Fact]
    public async Task Should_refuse_a_number_it_has_no_phone_number_id_for()
    {
        var outcome = await Sender.SendAsync(Command() with { ChannelAccount = "+15550000000" }, CancellationToken.None);

        Assert.Equal(("not-configured", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Empty(_api.Requests);
    }

    private static readonly MessageAttachment Photo =
        new() { ContentType = "image/jpeg", Url = "https://gateway.example.com/attachments/1/open?sig=1", FileName = "blue.jpg", SizeBytes = 120_000 };

    private static readonly MessageAttachment Voice =
        new() { ContentType = "audio/ogg", Url = "https://gateway.example.com/attachments/2/open?sig=2", SizeBytes = 20_000 };

    private static readonly MessageAttachment Invoice =
        new() { ContentType = "application/pdf", Url = "https://gateway.example.com/attachments/3/open?sig=3", FileName = "invoice-1042.pdf", SizeBytes = 80_000 };

    private static SendChannelMessage Command(params MessageAttachment[] files) => new()
    {
        CommandId = Guid.NewGuid(),
        ConversationId = Guid.NewGuid(),
        AgentId = "anna",
        Channel = "whatsapp",
        ChannelAccount = "+15550783881",
        To = new CustomerAddress { Kind = "phone", Value = "+16505551234" },
        Text = "Blue is back in stock.",
        Attachments = files,
        ReplyToProviderMessageId = "wamid.customer1",
        CustomerLastMessageAt = DateTimeOffset.UtcNow.AddHours(-1),
        RequestedAt = DateTimeOffset.UtcNow,
    };
}
