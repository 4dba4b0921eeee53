using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Routing.Contracts;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Attachments;

/// <summary>A file an agent uploaded, as the agent API answers it.</summary>
internal sealed record UploadedFile(Guid Id, string ContentType, string? FileName, long SizeBytes, string Scan);

/// <summary>Why an upload was not kept: the HTTP status to answer and the reason in words.</summary>
internal sealed class UploadRefusedException(int status, string title, string reason) : Exception(reason)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>
/// Keeps a file an agent sends (from the agent API, a Slack file share or a mail's attachment): within
/// Gateway:Attachments:MaxBytes, of a declared media type that the file's first bytes do not contradict (a "photo" that is
/// not one would be refused by the channel, or worse, delivered), scanned like every customer's file, in the same store.
/// </summary>
internal sealed class AttachmentUploads(AttachmentStore store, IAttachmentContent content, IAttachmentScanner scanner, IOptions<AttachmentOptions> options,
    TimeProvider time, ILogger<AttachmentUploads> logger)
{
    public const int MaxFileNameLength = 200;

    /// <param name="id">
    /// the file's id when its source names it already (a Slack file, a mail's part): the same file handed over again (the
    /// tool's retry) is the same upload, so the reply that names it is the same reply
    /// </param>
    public async Task<UploadedFile> UploadAsync(string agentId, Stream body, string? contentType, string? fileName, CancellationToken ct, Guid? id = null)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Value is not { } mediaType
            || mediaType.Contains('*', StringComparison.Ordinal) || parsed.Type.Length == 0 || parsed.SubType.Length == 0)
        {
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, "Content type required",
                "Send the file with its media type (Content-Type: image/jpeg, application/pdf, ...).");
        }
        var type = ChannelFiles.MediaType(mediaType);
        var bytes = await CappedBody.ReadAsync(body, options.Value.MaxBytes, ct)
            ?? throw new UploadRefusedException(StatusCodes.Status413PayloadTooLarge, "File too large",
                $"Files of more than {options.Value.MaxBytes} bytes are not kept (Gateway:Attachments:MaxBytes).");
        if (bytes.Length == 0)
        {
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, "Empty file", "The file has no content.");
        }
        if (Contradicted(type, bytes) is { } kind)
        {
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, "Not the declared type", $"The file is said to be {type} but is not {kind}.");
        }
        var (verdict, _) = await scanner.ScanAsync(bytes, ct);
        if (verdict == ScanVerdict.Infected)
        {
            throw new UploadRefusedException(StatusCodes.Status422UnprocessableEntity, "File refused", "The virus scanner refused the file.");
        }
        var fileId = id ?? Guid.CreateVersion7();
        var name = CleanName(fileName);
        var scan = verdict == ScanVerdict.Clean ? "clean" : "not-scanned";
        // the row first (the content refers to it); an id nobody was given, should the content not follow, is swept with the rest
        await store.UploadedAsync(fileId, agentId, type, name, bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)), scan, time.GetUtcNow(), ct);
        await content.PutAsync(fileId, bytes, ct);
        logger.LogInformation("Agent {Agent} uploaded attachment {Attachment} ({Type}, {Bytes} bytes)", agentId, fileId, type, bytes.LongLength);
        return new UploadedFile(fileId, type, name, bytes.LongLength, scan);
    }

    /// <summary>The file's name without any path, control characters or quotes, at most <see cref="MaxFileNameLength"/> characters; null when nothing is left.</summary>
    public static string? CleanName(string? fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return null;
        }
        var last = fileName.Replace('\\', '/').Split('/')[^1];
        var clean = new StringBuilder(last.Length);
        foreach (var c in last)
        {
            if (!char.IsControl(c) && c is not '"')
            {
                clean.Append(c);
            }
        }
        var name = clean.ToString().Trim();
        return name.Length == 0 || name is "." or ".." ? null : name.Length > MaxFileNameLength ? name[..MaxFileNameLength] : name;
    }

    /// <summary>What the file is not, when its first bytes contradict the declared type (for the types channels check); null otherwise.</summary>
    private static string? Contradicted(string type, byte[] bytes) => type switch
    {
        "image/jpeg" when !Starts(bytes, [0xFF, 0xD8, 0xFF]) => "a JPEG image",
        "image/png" when !Starts(bytes, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) => "a PNG image",
        "image/gif" when !Starts(bytes, "GIF8"u8) => "a GIF image",
        "image/webp" when !(Starts(bytes, "RIFF"u8) && bytes.Length >= 12 && bytes.AsSpan(8, 4).SequenceEqual("WEBP"u8)) => "a WebP image",
        "application/pdf" when !Starts(bytes, "%PDF-"u8) => "a PDF document",
        _ => null,
    };

    private static bool Starts(byte[] bytes, ReadOnlySpan<byte> magic) => bytes.AsSpan().StartsWith(magic);
}
