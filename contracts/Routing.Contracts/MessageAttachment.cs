namespace Routing.Contracts;

public sealed record MessageAttachment
{
    public required string ContentType { get; init; }

    /// <summary>Where the provider serves the content; adapters do not copy bytes onto the bus.</summary>
    public string? Url { get; init; }

    public string? FileName { get; init; }

    public long? SizeBytes { get; init; }
}
