using System.Text.RegularExpressions;

namespace Routing.Contracts;

/// <summary>
/// What a note and a tag on a customer may be, as routing keeps them and the agent gateway checks them before sending
/// <see cref="AnnotateCustomer"/>: a note trimmed, at most <see cref="MaxNoteLength"/> characters, no control characters
/// but line breaks and tabs; a tag one lower-case word (letters, digits, - and _; a leading # dropped) of at most
/// <see cref="MaxTagLength"/> characters, at most <see cref="MaxTagsPerChange"/> per change.
/// </summary>
public static partial class CustomerAnnotations
{
    public const int MaxNoteLength = 2000;

    public const int MaxTagLength = 40;

    public const int MaxTagsPerChange = 20;

    public const int MaxNameLength = 200;

    /// <summary>
    /// A whole annotation as kept (a note, tags to add and remove, the customer's name), or null with the field at fault and
    /// why (never quoting the text): every rule above, and at least one of them given.
    /// </summary>
    public static CustomerAnnotation? Read(string? note, IEnumerable<string?>? addTags, IEnumerable<string?>? removeTags, string? name,
        out string? field, out string? problem)
    {
        field = "note";
        var text = Note(note, out problem);
        if (problem is not null)
        {
            return null;
        }
        field = "addTags";
        var add = Tags(addTags, out problem);
        if (problem is not null)
        {
            return null;
        }
        field = "removeTags";
        var remove = Tags(removeTags, out problem);
        if (problem is not null)
        {
            return null;
        }
        field = "name";
        var customerName = Name(name, out problem);
        if (problem is not null)
        {
            return null;
        }
        if (text is null && add.Count == 0 && remove.Count == 0 && customerName is null)
        {
            (field, problem) = ("note", "or a tag to add or remove, or the customer's name, is required");
            return null;
        }
        field = null;
        return new CustomerAnnotation(text, add, remove, customerName);
    }

    /// <summary>A customer's name as kept (trimmed; null when blank), or why it cannot be: one line of at most <see cref="MaxNameLength"/> characters.</summary>
    public static string? Name(string? name, out string? problem)
    {
        problem = null;
        var text = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        if (text is { Length: > MaxNameLength })
        {
            problem = $"is longer than {MaxNameLength} characters";
        }
        else if (text is not null && text.Any(char.IsControl))
        {
            problem = "must be one line without control characters";
        }
        return problem is null ? text : null;
    }

    /// <summary>The note as kept (null when blank), or why it cannot be (never quoting it).</summary>
    public static string? Note(string? note, out string? problem)
    {
        problem = null;
        var text = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (text is { Length: > MaxNoteLength })
        {
            problem = $"is longer than {MaxNoteLength} characters";
        }
        else if (text is not null && text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            problem = "holds control characters";
        }
        return problem is null ? text : null;
    }

    /// <summary>The tags as kept (lower-cased, without #, each once), or why they cannot be.</summary>
    public static IReadOnlyList<string> Tags(IEnumerable<string?>? tags, out string? problem)
    {
        problem = null;
        var list = (tags ?? []).Select(t => t?.Trim().TrimStart('#').ToLowerInvariant() ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (list.Count > MaxTagsPerChange)
        {
            problem = $"names more than {MaxTagsPerChange} tags";
            return [];
        }
        if (list.FirstOrDefault(t => !TagPattern().IsMatch(t)) is { } bad)
        {
            problem = $"'{(bad.Length > MaxTagLength ? bad[..MaxTagLength] + "…" : bad)}' is not a tag: letters, digits, - and _, at most {MaxTagLength}";
            return [];
        }
        return list;
    }

    [GeneratedRegex(@"^[\p{Ll}\p{Lo}0-9][\p{Ll}\p{Lo}0-9_-]{0,39}$")]
    private static partial Regex TagPattern();
}

/// <summary>A note, tag changes and a name for a customer, as <see cref="CustomerAnnotations.Read"/> keeps them.</summary>
public sealed record CustomerAnnotation(string? Note, IReadOnlyList<string> AddTags, IReadOnlyList<string> RemoveTags, string? Name);
