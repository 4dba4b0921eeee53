namespace Routing.Contracts;

/// <summary>
/// What each channel lets an agent send as files, from the providers' documented limits, shared so that the gateway
/// refuses a file at once (the agent is told why while writing) and the adapter never hands its provider one it would
/// refuse. A channel not listed here (a new adapter's, until it says) takes no files.
/// </summary>
/// <remarks>
/// SMS: Twilio MMS, up to 10 media of 5 MB together (https://www.twilio.com/docs/messaging/guides/accepted-mime-types).
/// WhatsApp: Cloud API media, one per message: JPEG and PNG photos to 5 MB, MP4 and 3GPP video and AAC, AMR, MPEG, MP4
/// and OGG audio to 16 MB, documents to 100 MB. Messenger: one attachment per message, 25 MB. X: one photo (JPEG, PNG,
/// WebP) of 5 MB per direct message. Email: any file, 18 MB together (25 MB once base64-encoded, what most mail servers
/// take). Telegram: one file per message, uploaded by the bot: photos to 10 MB, any other file to 50 MB. Instagram: one
/// attachment per message, images (JPEG, PNG, GIF) to 8 MB, video, audio and PDF to 25 MB.
/// </remarks>
public static class ChannelFiles
{
    private const long Mb = 1024 * 1024;

    private static readonly string[] Documents =
    [
        "application/pdf", "text/plain", "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ];

    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.Ordinal)
    {
        [Channels.Sms] = new(10, 5 * Mb, OnePerMessage: false, type => type switch
        {
            "image/jpeg" or "image/png" or "image/gif" => 5 * Mb,
            _ when type.StartsWith("audio/", StringComparison.Ordinal) || type.StartsWith("video/", StringComparison.Ordinal) => 5 * Mb,
            "application/pdf" or "text/vcard" or "text/x-vcard" or "text/calendar" => 5 * Mb,
            _ => null,
        }),
        [Channels.WhatsApp] = new(10, null, OnePerMessage: true, type => type switch
        {
            "image/jpeg" or "image/png" => 5 * Mb,
            "video/mp4" or "video/3gpp" => 16 * Mb,
            "audio/aac" or "audio/amr" or "audio/mpeg" or "audio/mp4" or "audio/ogg" => 16 * Mb,
            _ when Documents.Contains(type) => 100 * Mb,
            _ => null,
        }),
        [Channels.Facebook] = new(10, null, OnePerMessage: true, _ => 25 * Mb),
        [Channels.Twitter] = new(1, null, OnePerMessage: true, type => type is "image/jpeg" or "image/png" or "image/webp" ? 5 * Mb : null),
        [Channels.Email] = new(20, 18 * Mb, OnePerMessage: false, _ => 18 * Mb),
        [Channels.Telegram] = new(10, null, OnePerMessage: true, type => type is "image/jpeg" or "image/png" or "image/webp" ? 10 * Mb : 50 * Mb),
        [Channels.Instagram] = new(10, null, OnePerMessage: true, type => type switch
        {
            "image/jpeg" or "image/png" or "image/gif" => 8 * Mb,
            "video/mp4" or "video/ogg" or "video/quicktime" or "video/webm" or "video/x-msvideo" => 25 * Mb,
            "audio/aac" or "audio/mp4" or "audio/wav" or "audio/x-wav" or "audio/x-m4a" => 25 * Mb,
            "application/pdf" => 25 * Mb,
            _ => null,
        }),
    };

    /// <summary>How many files one reply may carry on the channel (0: none).</summary>
    public static int MaxFiles(string channel) => Rules.TryGetValue(channel, out var rule) ? rule.MaxFiles : 0;

    /// <summary>Whether the channel sends each file as a message of its own (the text going with the first that can carry it, or alone).</summary>
    public static bool OnePerMessage(string channel) => Rules.TryGetValue(channel, out var rule) && rule.OnePerMessage;

    /// <summary>Why the channel cannot send these files in one reply, in words an agent can act on; null when it can.</summary>
    public static string? Refusal(string channel, IReadOnlyList<MessageAttachment> files)
    {
        if (files.Count == 0)
        {
            return null;
        }
        if (!Rules.TryGetValue(channel, out var rule))
        {
            return $"{channel} does not take files from this platform";
        }
        if (files.Count > rule.MaxFiles)
        {
            return rule.MaxFiles == 1 ? $"{channel} takes one file per reply" : $"{channel} takes at most {rule.MaxFiles} files per reply";
        }
        foreach (var file in files)
        {
            var type = MediaType(file.ContentType);
            var name = file.FileName ?? type;
            if (rule.MaxBytesOf(type) is not { } max)
            {
                return $"{channel} does not take {type} files ({name})";
            }
            if (file.SizeBytes > max)
            {
                return $"{name} is larger than the {Megabytes(max)} {channel} takes for {type}";
            }
        }
        return rule.MaxTotalBytes is { } total && files.Sum(f => f.SizeBytes ?? 0) > total
            ? $"the files are larger together than the {Megabytes(total)} {channel} takes in one message"
            : null;
    }

    /// <summary>"image", "video" or "audio" by the media type's top level (the kinds every messaging API names); null for anything else, a document.</summary>
    public static string? Kind(string contentType) => MediaType(contentType) switch
    {
        var t when t.StartsWith("image/", StringComparison.Ordinal) => "image",
        var t when t.StartsWith("video/", StringComparison.Ordinal) => "video",
        var t when t.StartsWith("audio/", StringComparison.Ordinal) => "audio",
        _ => null,
    };

    /// <summary>The media type without its parameters, lower case: "image/jpeg" of "image/JPEG; name=a.jpg".</summary>
    public static string MediaType(string contentType)
    {
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    private static string Megabytes(long bytes) => $"{bytes / Mb} MB";

    private sealed record Rule(int MaxFiles, long? MaxTotalBytes, bool OnePerMessage, Func<string, long?> MaxBytesOf);
}
