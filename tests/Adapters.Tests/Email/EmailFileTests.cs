using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Routing.Adapters.Email.Files;
using Routing.Adapters.Email.Mime;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Samples;

namespace Adapters.Tests.Email;

/// <summary>
/// A customer's mail attachment kept by the email adapter and served over real HTTP to the link it signed (what the agent
/// gateway fetches): written once per message and place, refused to a changed or expired link, gone after retention.
/// </summary>
public sealed class EmailFileTests : IAsyncLifetime
{
    private static readonly byte[] Key = "test-email-files-key-32-bytes-ok"u8.ToArray();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "email-files-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private WebApplication _app = null!;
    private EmailFiles _files = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        EmailFiles? files = null;
        string url;
        (_app, url) = await LoopbackServer.StartAsync(app => app.MapGet("/media/email/{name}", (string name, Microsoft.AspNetCore.Http.HttpContext http) => files!.Serve(http, name)));
        _files = files = new EmailFiles(Options.Create(new EmailFileOptions { Directory = _directory, BaseUrl = url, Key = Convert.ToBase64String(Key), MaxBytes = 1000 }),
            new ConfigurationBuilder().Build(), _time, NullLogger<EmailFiles>.Instance);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Should_keep_a_mails_attachment_and_serve_it_to_its_signed_link_only()
    {
        var mail = Mail(("photo.png", "image/png", SampleMedia.Png), ("big.pdf", "application/pdf", new byte[1001]));

        var message = InboundEmail.Read(mail, "support@example.com", "fallback@example.com", _time.GetUtcNow(), [], [], _files.Keep).Message!;
        var again = InboundEmail.Read(mail, "support@example.com", "fallback@example.com", _time.GetUtcNow(), [], [], _files.Keep).Message!;

        var (photo, big) = (message.Attachments[0], message.Attachments[1]);
        Assert.True(FileLinks.Valid(Key, new Uri(photo.Url!), _time.GetUtcNow()));
        Assert.Equal(photo.Url, again.Attachments[0].Url); // the same mail again: the same file, written once
        Assert.Single(Directory.GetFiles(_directory));
        Assert.Null(big.Url); // past Email:Files:MaxBytes: its name only
        Assert.Equal(("big.pdf", 1001L), (big.FileName, big.SizeBytes));

        var served = await _http.GetAsync(photo.Url);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SampleMedia.Png, await served.Content.ReadAsByteArrayAsync());
        var otherFile = photo.Url!.Replace("-0?", "-1?", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await _http.GetAsync(otherFile)).StatusCode);
        var otherType = photo.Url.Replace("type=image%2Fpng", "type=text%2Fhtml", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await _http.GetAsync(otherType)).StatusCode);

        _time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Forbidden, (await _http.GetAsync(photo.Url)).StatusCode);
        File.SetLastWriteTimeUtc(Directory.GetFiles(_directory).Single(), _time.GetUtcNow().UtcDateTime - TimeSpan.FromDays(3));
        _files.Sweep();
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Should_keep_nothing_and_give_names_only_without_a_key()
    {
        var unkeyed = new EmailFiles(Options.Create(new EmailFileOptions { Directory = _directory, BaseUrl = "http://127.0.0.1:1" }),
            new ConfigurationBuilder().Build(), _time, NullLogger<EmailFiles>.Instance);

        var message = InboundEmail.Read(Mail(("photo.png", "image/png", SampleMedia.Png)), "support@example.com", "f@example.com", _time.GetUtcNow(), [], [],
            unkeyed.Keep).Message!;

        Assert.Equal(("photo.png", null), (message.Attachments[0].FileName, message.Attachments[0].Url));
        Assert.False(Directory.Exists(_directory));
    }

    private static MimeMessage Mail(params (string Name, string Type, byte[] Content)[] files)
    {
        var body = new BodyBuilder { TextBody = "The sofa arrived broken, see the photo." };
        foreach (var (name, type, content) in files)
        {
            body.Attachments.Add(name, content, ContentType.Parse(type));
        }
        var mail = new MimeMessage { Subject = "Broken sofa", MessageId = $"{Guid.NewGuid():N}@example.net", Body = body.ToMessageBody() };
        mail.From.Add(new MailboxAddress("Maria Rossi", "maria@example.net"));
        mail.To.Add(MailboxAddress.Parse("support@example.com"));
        return mail;
    }
}
