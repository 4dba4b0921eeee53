using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

// The providers' send APIs for the local stack (make up): Twilio's Messages API, Meta's Graph API
// (WhatsApp Cloud API, Messenger's and Instagram's Send API), X API v2's direct messages and media upload and Telegram's Bot
// API answer as the providers do on success, and every request is
// kept, so the demo and the end-to-end tests can see what an adapter sent. GET /sent lists them. Slack's Web API
// answers the agent gateway the same way. A file sent by link (MMS MediaUrl, WhatsApp media, Messenger attachments) is
// fetched from it as the provider would, without credentials, and what came back is kept with the request. The people behind
// customers' ids are answered as the providers' profile lookups do (PUT /profiles first).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddHttpClient("media", c => c.Timeout = TimeSpan.FromSeconds(30));
var app = builder.Build();
var sent = new ConcurrentQueue<SentRequest>();
var media = app.Services.GetRequiredService<IHttpClientFactory>();

// what the provider got when it fetched a file an agent sent by link
async Task<IReadOnlyList<FetchedMedia>> FetchAsync(IEnumerable<string?> links)
{
    var fetched = new List<FetchedMedia>();
    foreach (var link in links.OfType<string>())
    {
        try
        {
            using var response = await media.CreateClient("media").GetAsync(link);
            var content = await response.Content.ReadAsByteArrayAsync();
            fetched.Add(new FetchedMedia(link, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, content.Length,
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content))));
        }
        catch (HttpRequestException ex)
        {
            fetched.Add(new FetchedMedia(link, 0, ex.Message, 0, ""));
        }
    }
    return fetched;
}

static string? Link(JsonElement body, params string[] path)
{
    foreach (var name in path)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(name, out body))
        {
            return null;
        }
    }
    return body.ValueKind == JsonValueKind.String ? body.GetString() : null;
}
// The newest requests kept (Sandbox__Keep): every send of a chaos campaign, whose checker reads them all.
var keep = builder.Configuration.GetValue("Sandbox:Keep", 100_000);
const string Recorded = "sandbox.recorded";

void Record(HttpContext http, SentRequest request)
{
    http.Items[Recorded] = true;
    sent.Enqueue(request);
    while (sent.Count > keep && sent.TryDequeue(out _))
    {
    }
}

// A fault for make chaos (provider-reset): POST /faults {"resetShare": 0.3} has that share of the providers' sends
// (Slack's aside) recorded, and then answered with a dropped connection instead of their answer, as a provider that
// accepted a send and lost the connection; DELETE /faults ends it. An adapter that retries such a send sends it twice.
var resetShare = 0.0;
app.Use(async (http, next) =>
{
    var share = Volatile.Read(ref resetShare);
    if (share <= 0 || !HttpMethods.IsPost(http.Request.Method) || http.Request.Path.StartsWithSegments("/slack") || http.Request.Path.StartsWithSegments("/faults"))
    {
        await next(http);
        return;
    }
    var original = http.Response.Body;
    using var answer = new MemoryStream();
    http.Response.Body = answer;
    await next(http);
    http.Response.Body = original;
    if (http.Items.ContainsKey(Recorded) && Random.Shared.NextDouble() < share)
    {
        http.Abort();
        return;
    }
    answer.Position = 0;
    await answer.CopyToAsync(original);
});
app.MapPost("/faults", (SandboxFaults faults) =>
{
    Volatile.Write(ref resetShare, Math.Clamp(faults.ResetShare, 0, 1));
    return Results.Ok(faults);
});
app.MapDelete("/faults", () =>
{
    Volatile.Write(ref resetShare, 0);
    return Results.NoContent();
});

app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json", async (HttpContext http, string accountSid) =>
{
    if (!http.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.Ordinal))
    {
        return Results.Json(new { code = 20003, message = "Authenticate", status = 401 }, statusCode: 401);
    }
    var form = QueryHelpers.ParseQuery(await new StreamReader(http.Request.Body).ReadToEndAsync());
    var sid = "SM" + Guid.NewGuid().ToString("N");
    Record(http, new SentRequest("twilio", http.Request.Path, sid, DateTimeOffset.UtcNow,
        JsonSerializer.SerializeToElement(form.ToDictionary(f => f.Key, f => f.Value.ToString())),
        form.TryGetValue("MediaUrl", out var mediaUrls) ? await FetchAsync(mediaUrls) : null));
    return Results.Json(new { sid, account_sid = accountSid, status = "queued", to = form["To"].ToString(), from = form["From"].ToString() }, statusCode: 201);
});

// Meta's Send API: Messenger's as the Page (POST /{version}/{page-id}/messages), Instagram's under the /instagram prefix the
// Instagram adapter's API base carries here (POST /instagram/{version}/me/messages), and WhatsApp's Cloud API.
var commenters = new ConcurrentDictionary<(string Provider, string Id), string>();
var privatelyAnswered = new ConcurrentDictionary<(string Provider, string Id), bool>();
async Task<IResult> GraphSendAsync(HttpContext http, string messenger)
{
    if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
    {
        return Results.Json(new { error = new { message = "An access token is required to request this resource.", type = "OAuthException", code = 104 } }, statusCode: 400);
    }
    JsonElement body;
    try
    {
        body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
    }
    catch (JsonException ex)
    {
        return Results.Json(new { error = new { message = ex.Message, type = "OAuthException", code = 100 } }, statusCode: 400);
    }
    if (body.TryGetProperty("messaging_product", out var product) && product.GetString() == "whatsapp")
    {
        var wamid = "wamid.sandbox." + Guid.NewGuid().ToString("N");
        var kind = Link(body, "type");
        var file = kind is "image" or "video" or "audio" or "document" or "sticker" ? Link(body, kind, "link") : null;
        Record(http, new SentRequest("whatsapp", http.Request.Path, wamid, DateTimeOffset.UtcNow, body, file is null ? null : await FetchAsync([file])));
        var to = body.TryGetProperty("to", out var t) ? t.GetString() : null;
        return Results.Json(new { messaging_product = "whatsapp", contacts = new[] { new { input = to, wa_id = to } }, messages = new[] { new { id = wamid } } });
    }
    var mid = (messenger == "instagram" ? "aWdfZAG1f" : "m_sandbox_") + Guid.NewGuid().ToString("N");
    var attachment = Link(body, "message", "attachment", "payload", "url");
    var recipient = Link(body, "recipient", "id");
    // A private reply names the comment (or visitor post) it answers: Meta takes one per comment, and answers with its
    // author's Messenger (Instagram) id, which PUT /commenters said.
    if ((Link(body, "recipient", "comment_id") ?? Link(body, "recipient", "post_id")) is { } answered)
    {
        if (!commenters.TryGetValue((messenger, answered), out var author))
        {
            return Results.Json(new { error = new { message = "(#100) Invalid comment_id or post_id", type = "OAuthException", code = 100 } }, statusCode: 400);
        }
        if (!privatelyAnswered.TryAdd((messenger, answered), true))
        {
            return Results.Json(new { error = new { message = "(#10) This message is sent outside of allowed window.", type = "OAuthException", code = 10, error_subcode = 2018278 } },
                statusCode: 400);
        }
        recipient = author;
    }
    Record(http, new SentRequest(messenger, http.Request.Path, mid, DateTimeOffset.UtcNow, body, attachment is null ? null : await FetchAsync([attachment])));
    return Results.Json(new { recipient_id = recipient, message_id = mid });
}

// Public replies: a Facebook comment under a comment or visitor post (POST /{version}/{id}/comments, {"message"} and an optional
// "attachment_url") and an Instagram reply under a comment (POST /instagram/{version}/{id}/replies, {"message"}); both answer {"id"}.
async Task<IResult> CommentAsync(HttpContext http, string provider, string answered)
{
    if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
    {
        return Results.Json(new { error = new { message = "An access token is required to request this resource.", type = "OAuthException", code = 104 } }, statusCode: 400);
    }
    var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
    if (Link(body, "message") is not { Length: > 0 })
    {
        return Results.Json(new { error = new { message = "(#100) The parameter message is required", type = "OAuthException", code = 100 } }, statusCode: 400);
    }
    var id = $"{answered.Split('_')[0]}_{Random.Shared.NextInt64(1_000_000_000_000_000, 9_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    var photo = Link(body, "attachment_url");
    Record(http, new SentRequest(provider, http.Request.Path, id, DateTimeOffset.UtcNow, body, photo is null ? null : await FetchAsync([photo])));
    return Results.Json(new { id });
}
app.MapPost("/{version}/{node}/comments", (HttpContext http, string node) => CommentAsync(http, "facebook", node));
app.MapPost("/instagram/{version}/{node}/replies", (HttpContext http, string node) => CommentAsync(http, "instagram", node));
app.MapPost("/{version}/{node}/messages", (Delegate)((HttpContext http) => GraphSendAsync(http, "facebook")));
app.MapPost("/instagram/{version}/{node}/messages", (Delegate)((HttpContext http) => GraphSendAsync(http, "instagram")));

// Telegram's Bot API (under the /telegram prefix of the adapter's API base here): the bot's token in the path is checked
// and kept out of what is recorded; sendMessage takes JSON, the send* of files a multipart upload, whose size and hash are kept.
var telegramToken = builder.Configuration["Telegram:BotToken"] ?? "";
var telegramMessages = 0L;
app.MapPost("/telegram/{bot}/{method}", async (HttpContext http, string bot, string method) =>
{
    if (telegramToken.Length == 0 || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(bot), System.Text.Encoding.UTF8.GetBytes("bot" + telegramToken)))
    {
        return Results.Json(new { ok = false, error_code = 401, description = "Unauthorized" }, statusCode: 401);
    }
    JsonElement body;
    IReadOnlyList<FetchedMedia>? uploaded = null;
    if (http.Request.HasFormContentType)
    {
        var form = await http.Request.ReadFormAsync();
        body = JsonSerializer.SerializeToElement(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
        var media = new List<FetchedMedia>();
        foreach (var file in form.Files)
        {
            using var content = new MemoryStream();
            await file.CopyToAsync(content);
            media.Add(new FetchedMedia(file.Name, 200, file.ContentType, (int)content.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content.ToArray()))));
        }
        uploaded = media;
    }
    else
    {
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
        }
        catch (JsonException)
        {
            return Results.Json(new { ok = false, error_code = 400, description = "Bad Request: can't parse JSON" }, statusCode: 400);
        }
    }
    var chat = Link(body, "chat_id") ?? (body.TryGetProperty("chat_id", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetRawText() : null);
    if (chat is null)
    {
        return Results.Json(new { ok = false, error_code = 400, description = "Bad Request: chat_id is empty" }, statusCode: 400);
    }
    var messageId = Interlocked.Increment(ref telegramMessages);
    Record(http, new SentRequest("telegram", "/telegram/" + method, $"{chat}:{messageId}", DateTimeOffset.UtcNow, body, uploaded));
    return Results.Json(new { ok = true, result = new { message_id = messageId, date = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), chat = new { id = long.TryParse(chat, out var c) ? c : 0, type = "private" } } });
});

// X API v2's requests: signed with OAuth 1.0a user context (an Authorization header naming the signature and the access
// token), with a JSON body; X answers otherwise with a 401 or a 400 problem.
async Task<(JsonElement Body, IResult? Refusal)> XRequestAsync(HttpContext http)
{
    var authorization = http.Request.Headers.Authorization.ToString();
    if (!authorization.StartsWith("OAuth ", StringComparison.Ordinal) || !authorization.Contains("oauth_signature=", StringComparison.Ordinal)
        || !authorization.Contains("oauth_token=", StringComparison.Ordinal))
    {
        return (default, Results.Json(new { title = "Unauthorized", type = "about:blank", status = 401, detail = "Unauthorized" }, statusCode: 401));
    }
    try
    {
        return (await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body), null);
    }
    catch (JsonException ex)
    {
        return (default, Results.Json(new { title = "Invalid Request", type = "https://api.twitter.com/2/problems/invalid-request", status = 400, detail = ex.Message },
            statusCode: 400));
    }
}

app.MapPost("/2/dm_conversations/with/{participantId}/messages", async (HttpContext http, string participantId) =>
{
    var (body, refusal) = await XRequestAsync(http);
    if (refusal is not null)
    {
        return refusal;
    }
    var eventId = Random.Shared.NextInt64(1_000_000_000_000_000_000, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
    Record(http, new SentRequest("twitter", http.Request.Path, eventId, DateTimeOffset.UtcNow, body));
    return Results.Json(new { data = new { dm_conversation_id = participantId, dm_event_id = eventId } }, statusCode: 201);
});

// X API v2's POST /2/tweets: a public reply ({"text", "reply": {"in_reply_to_tweet_id"}}), signed as a DM is. X refuses a reply
// to no post and a text over its 280 (as X weighs it) with 400 and a problem; the answer is 201 {"data": {"id", "text"}}.
app.MapPost("/2/tweets", async (HttpContext http) =>
{
    var (body, refusal) = await XRequestAsync(http);
    if (refusal is not null)
    {
        return refusal;
    }
    var text = body.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
    if (Routing.Contracts.PublicReplies.WeightedLength(text) > Routing.Contracts.PublicReplies.MaxPostLength)
    {
        return Results.Json(new { title = "Invalid Request", type = "https://api.twitter.com/2/problems/invalid-request", status = 400,
            detail = "One or more parameters to your request was invalid.", errors = new[] { new { message = "$.text: text is too long" } } }, statusCode: 400);
    }
    var postId = Random.Shared.NextInt64(1_000_000_000_000_000_000, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
    Record(http, new SentRequest("twitter", http.Request.Path, postId, DateTimeOffset.UtcNow, body));
    return Results.Json(new { data = new { id = postId, text } }, statusCode: 201);
});

// X API v2's one-shot media upload (JSON: media in base64, media_category, media_type), signed as the DM is: its id
// goes in a DM's attachments; what was uploaded is kept with the request (its size and hash, not its bytes).
app.MapPost("/2/media/upload", async (HttpContext http) =>
{
    var authorization = http.Request.Headers.Authorization.ToString();
    if (!authorization.StartsWith("OAuth ", StringComparison.Ordinal) || !authorization.Contains("oauth_signature=", StringComparison.Ordinal))
    {
        return Results.Json(new { title = "Unauthorized", type = "about:blank", status = 401, detail = "Unauthorized" }, statusCode: 401);
    }
    byte[] content;
    JsonElement body;
    try
    {
        body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
        content = Convert.FromBase64String(Link(body, "media") ?? "");
    }
    catch (Exception ex) when (ex is JsonException or FormatException)
    {
        return Results.Json(new { title = "Invalid Request", type = "https://api.twitter.com/2/problems/invalid-request", status = 400, detail = ex.Message }, statusCode: 400);
    }
    var mediaId = Random.Shared.NextInt64(1_000_000_000_000_000_000, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
    Record(http, new SentRequest("twitter-media", http.Request.Path, mediaId, DateTimeOffset.UtcNow,
        JsonSerializer.SerializeToElement(new { media_category = Link(body, "media_category"), media_type = Link(body, "media_type") }),
        [new FetchedMedia("upload", 200, Link(body, "media_type"), content.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)))]));
    return Results.Json(new { data = new { id = mediaId, media_key = "3_" + mediaId, size = content.Length, expires_after_secs = 86400 } });
});

// Slack's Web API for the agent gateway: chat.postMessage to a user id posts into the app's direct messages with them
// (channel D…), and every call answers ok with the message's ts, which the recorded request carries as its id.
var slackTs = DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1_000_000;
app.MapPost("/slack/api/{method}", async (HttpContext http, string method) =>
{
    if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer xox", StringComparison.Ordinal))
    {
        return Results.Json(new { ok = false, error = "not_authed" });
    }
    JsonElement body;
    try
    {
        body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
    }
    catch (JsonException)
    {
        return Results.Json(new { ok = false, error = "invalid_json" });
    }
    var next = Interlocked.Increment(ref slackTs);
    var ts = $"{next / 1_000_000}.{next % 1_000_000:D6}";
    var channel = body.TryGetProperty("channel", out var c) ? c.GetString() ?? "" : "";
    Record(http, new SentRequest("slack", http.Request.Path, ts, DateTimeOffset.UtcNow, body));
    return Results.Json(new { ok = true, channel = channel.StartsWith('U') ? "D" + channel[1..] : channel, ts });
});

app.MapGet("/sent", () => sent.ToArray());

// People, as Meta's user profile (Messenger: GET /{version}/{PSID}; Instagram: GET /instagram/{version}/{IGSID}) and X's
// user lookup (GET /2/users/{id}) describe them: PUT /profiles/{provider}/{id} with the provider's fields (name, first_name,
// last_name, username, profile_pic, locale, profile_image_url) says who is behind an id. A lookup answers the fields asked
// for; an id nobody put is answered as the provider answers an unknown one.
var profiles = new ConcurrentDictionary<(string Provider, string Id), JsonElement>();

// Who wrote a comment or a visitor post, as Messenger (Instagram) knows them: PUT /commenters/{provider}/{commentId} with
// {"recipient_id"} is what a private reply to it answers with.
app.MapPut("/commenters/{provider}/{id}", (string provider, string id, JsonElement author) =>
{
    commenters[(provider, id)] = author.GetProperty("recipient_id").GetString()!;
    return Results.NoContent();
});
app.MapPut("/profiles/{provider}/{id}", (string provider, string id, JsonElement profile) =>
{
    profiles[(provider, id)] = profile;
    return Results.NoContent();
});
IResult MetaProfile(HttpContext http, string provider, string id)
{
    if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
    {
        return Results.Json(new { error = new { message = "An access token is required to request this resource.", type = "OAuthException", code = 104 } }, statusCode: 400);
    }
    if (!profiles.TryGetValue((provider, id), out var profile))
    {
        return Results.Json(new { error = new { message = $"Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
            type = "GraphMethodException", code = 100, error_subcode = 33 } }, statusCode: 400);
    }
    var fields = (http.Request.Query["fields"].ToString() is { Length: > 0 } asked ? asked : "name").Split(',', StringSplitOptions.TrimEntries);
    var answer = new Dictionary<string, JsonElement> { ["id"] = JsonSerializer.SerializeToElement(id) };
    foreach (var field in fields)
    {
        if (profile.TryGetProperty(field, out var value))
        {
            answer[field] = value;
        }
    }
    return Results.Json(answer);
}
app.MapGet("/instagram/{version}/{id}", (HttpContext http, string id) => MetaProfile(http, "instagram", id));
app.MapGet("/2/users/{id}", (HttpContext http, string id) =>
{
    var authorization = http.Request.Headers.Authorization.ToString();
    if (!authorization.StartsWith("OAuth ", StringComparison.Ordinal) || !authorization.Contains("oauth_signature=", StringComparison.Ordinal))
    {
        return Results.Json(new { title = "Unauthorized", type = "about:blank", status = 401, detail = "Unauthorized" }, statusCode: 401);
    }
    if (!profiles.TryGetValue(("twitter", id), out var profile))
    {
        return Results.Json(new { errors = new[] { new { value = id, detail = $"Could not find user with id: [{id}].", title = "Not Found Error", resource_type = "user",
            parameter = "id", resource_id = id, type = "https://api.twitter.com/2/problems/resource-not-found" } } });
    }
    var user = new Dictionary<string, JsonElement> { ["id"] = JsonSerializer.SerializeToElement(id) };
    foreach (var field in new[] { "name", "username" }.Concat(http.Request.Query["user.fields"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries)))
    {
        if (profile.TryGetProperty(field, out var value))
        {
            user[field] = value;
        }
    }
    return Results.Json(new { data = user });
});
// customers' media, as each provider serves it to the gateway (with the credentials of deploy/local/dev.env)
var xAccount = builder.Configuration.GetSection("Twitter:Accounts").GetChildren().FirstOrDefault();
Routing.Samples.SampleMedia.Map(app, builder.Configuration["Twilio:AccountSid"] ?? "", builder.Configuration["Twilio:AuthToken"] ?? "",
    builder.Configuration["WhatsApp:AccessToken"] ?? "", x: xAccount is null ? null : new Routing.OAuth.OAuth1.Credentials(builder.Configuration["Twitter:ConsumerKey"] ?? "",
        builder.Configuration["Twitter:ConsumerSecret"] ?? "", xAccount["AccessToken"] ?? "", xAccount["AccessTokenSecret"] ?? ""),
    telegramBotToken: builder.Configuration["Telegram:BotToken"],
    graphNode: (http, id) => profiles.ContainsKey(("facebook", id)) ? MetaProfile(http, "facebook", id) : null);
app.MapGet("/health/live", () => Results.Ok());
app.MapGet("/health/ready", () => Results.Ok());

app.Run();

internal sealed record SandboxFaults(double ResetShare);

internal sealed record SentRequest(string Provider, string Path, string ProviderMessageId, DateTimeOffset ReceivedAt, JsonElement Body,
    IReadOnlyList<FetchedMedia>? Media = null);

/// <summary>A file the provider fetched (or was sent, for X's upload): its link, the answer's status and type, its size and SHA-256.</summary>
internal sealed record FetchedMedia(string Url, int Status, string? ContentType, int Bytes, string Sha256);
