using Microsoft.Extensions.Options;
using MimeKit;
using Routing.Contracts;

namespace Routing.Adapters.Email.Files;

/// <summary>
/// Email:Files: the customers' attachments this adapter keeps for the agent gateway to fetch. Without a key, attachments
/// reach agents as their names only.
/// </summary>
internal sealed class EmailFileOptions
{
    public const string Section = "Email:Files";

    /// <summary>A folder on a volume of this replica's (the spool's in Kubernetes): each file is fetched from the replica that read its mail.</summary>
    public string Directory { get; set; } = "/var/spool/routing/email-files";

    /// <summary>This replica's address as the gateway reaches it (in Kubernetes, http://$(POD_IP):8080); unset: Webhooks:PublicBaseUrl.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>32 random bytes in base64, the same as the gateway's Gateway:Media:EmailFilesKey: the links are signed with it.</summary>
    public string? Key { get; set; }

    /// <summary>A larger part is not kept (its name still reaches the agent).</summary>
    public long MaxBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>How long a file is kept and its link opens it: the gateway fetches it within seconds, and retries for a while.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(2);
}

/// <summary>
/// Keeps a mail's attachments where the agent gateway can fetch them: each part written once under the message's id and
/// its place in the mail (a mail read again, or delivered again by its provider, writes nothing new), served at
/// GET /media/email/{name} to a link <see cref="FileLinks"/> signed, and deleted after Email:Files:Retention.
/// </summary>
internal sealed class EmailFiles(IOptions<EmailFileOptions> options, IConfiguration configuration, TimeProvider time, ILogger<EmailFiles> logger)
{
    private readonly byte[]? _key = options.Value.Key is { Length: > 0 } key ? Convert.FromBase64String(key) : null;

    public bool Enabled => _key is not null && BaseUrl.Length > 0;

    private string BaseUrl => (options.Value.BaseUrl ?? configuration["Webhooks:PublicBaseUrl"] ?? "").TrimEnd('/');

    /// <summary>The part's link for the gateway, once its content is on disk; null when files are not kept here or the part is too large.</summary>
    public string? Keep(Guid messageId, int position, MimePart part)
    {
        if (!Enabled || part.Content is null)
        {
            return null;
        }
        var name = $"{messageId:N}-{position}";
        var path = Path.Combine(options.Value.Directory, name);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(options.Value.Directory);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".partial";
            using (var file = File.Create(temporary))
            {
                part.Content.DecodeTo(file);
                if (file.Length > options.Value.MaxBytes)
                {
                    file.Close();
                    File.Delete(temporary);
                    logger.LogInformation("Attachment {Position} of message {MessageId} is larger than Email:Files:MaxBytes: not kept", position, messageId);
                    return null;
                }
            }
            File.Move(temporary, path, overwrite: true);
        }
        var type = Uri.EscapeDataString(part.ContentType.MimeType.ToLowerInvariant());
        return FileLinks.Sign(_key!, $"{BaseUrl}/media/email/{name}?type={type}", time.GetUtcNow() + options.Value.Retention);
    }

    /// <summary>GET /media/email/{name}: the file, to a link this adapter signed that has not expired; 403 otherwise, 404 once it is gone.</summary>
    public IResult Serve(HttpContext http, string name)
    {
        var url = new Uri($"{BaseUrl}{http.Request.Path}{http.Request.QueryString}");
        if (_key is null || !FileLinks.Valid(_key, url, time.GetUtcNow()))
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Link not valid", detail: "This is not a link to a file this adapter signed, or it expired.");
        }
        var path = Path.Combine(options.Value.Directory, Path.GetFileName(name));
        return File.Exists(path)
            ? Results.File(path, http.Request.Query["type"].ToString() is { Length: > 0 } type ? type : "application/octet-stream")
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "File gone", detail: "The file is no longer kept here.");
    }

    /// <summary>Deletes files older than the retention (and what a crash left half-written).</summary>
    public void Sweep()
    {
        if (!Directory.Exists(options.Value.Directory))
        {
            return;
        }
        var before = time.GetUtcNow().UtcDateTime - options.Value.Retention;
        foreach (var file in new DirectoryInfo(options.Value.Directory).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < before)
            {
                file.Delete();
            }
        }
    }
}

/// <summary>Runs <see cref="EmailFiles.Sweep"/> every ten minutes.</summary>
internal sealed class EmailFileSweeper(EmailFiles files, TimeProvider time, ILogger<EmailFileSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                files.Sweep();
            }
            catch (IOException ex)
            {
                logger.LogWarning("Sweeping kept attachments failed: {Error}", ex.Message);
            }
            await Task.Delay(TimeSpan.FromMinutes(10), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
