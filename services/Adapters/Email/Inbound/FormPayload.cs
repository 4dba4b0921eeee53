using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Email.Inbound;

/// <summary>An uploaded file of a form post: its field name, file name, type and bytes.</summary>
internal sealed record FormFile(string Field, string? FileName, string ContentType, byte[] Content);

/// <summary>
/// A form post's fields and files, read from the exact bytes the kit kept (so the signature was checked over
/// them): application/x-www-form-urlencoded or multipart/form-data, as Mailgun and SendGrid post.
/// </summary>
internal sealed class FormPayload
{
    private FormPayload(Dictionary<string, string> fields, List<FormFile> files) => (Fields, Files) = (fields, files);

    public IReadOnlyDictionary<string, string> Fields { get; }

    public IReadOnlyList<FormFile> Files { get; }

    public string? this[string name] => Fields.TryGetValue(name, out var value) ? value : null;

    public static FormPayload Read(WebhookRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
        {
            throw new MalformedWebhookException("Content-Type", "must be multipart/form-data or application/x-www-form-urlencoded");
        }
        if (type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            string text;
            try
            {
                text = Strict.GetString(request.Body);
            }
            catch (DecoderFallbackException)
            {
                throw new MalformedWebhookException("body", "is not UTF-8");
            }
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in QueryHelpers.ParseQuery(text))
            {
                Add(fields, name, values.Count == 1 ? values[0] ?? "" : throw Twice(name));
            }
            return new FormPayload(fields, []);
        }
        if (!type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            throw new MalformedWebhookException("Content-Type", "must be multipart/form-data (with a boundary) or application/x-www-form-urlencoded");
        }
        return ReadMultipart(request.Body, boundary);
    }

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    /// <summary>A field given twice is refused: which of the two counts is exactly what an attacker wants to choose.</summary>
    private static void Add(Dictionary<string, string> fields, string name, string value)
    {
        if (!fields.TryAdd(name, value))
        {
            throw Twice(name);
        }
    }

    private static MalformedWebhookException Twice(string name) => new(name, "is given more than once");

    private static FormPayload ReadMultipart(byte[] body, string boundary)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var files = new List<FormFile>();
        var reader = new MultipartReader(boundary, new MemoryStream(body)) { BodyLengthLimit = null };
        try
        {
            while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.Name.Value is not { } name)
                {
                    continue;
                }
                using var content = new MemoryStream();
                section.Body.CopyTo(content);
                name = HeaderUtilities.RemoveQuotes(name).Value!;
                if (disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
                {
                    files.Add(new FormFile(name, HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value,
                        section.ContentType ?? "application/octet-stream", content.ToArray()));
                }
                else
                {
                    Add(fields, name, Encoding.UTF8.GetString(content.ToArray()));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException)
        {
            throw new MalformedWebhookException("body", $"is not a complete multipart form: {ex.Message}");
        }
        return new FormPayload(fields, files);
    }
}
