using Routing.Contracts;

namespace Routing.Identity;

/// <summary>A note and tag changes as routing keeps them, whoever wrote them (an agent through the gateway, an operator through the API): <see cref="CustomerAnnotations"/>' rules.</summary>
internal sealed record CustomerAnnotation(string? Note, IReadOnlyList<string> AddTags, IReadOnlyList<string> RemoveTags, string? Name = null)
{
    /// <summary>The annotation, or the field at fault and why (nothing of the text itself).</summary>
    public static (CustomerAnnotation? Annotation, string? Field, string? Problem) Read(string? note, IEnumerable<string?>? addTags, IEnumerable<string?>? removeTags,
        string? name = null)
    {
        var text = CustomerAnnotations.Note(note, out var problem);
        if (problem is not null)
        {
            return (null, "note", problem);
        }
        var add = CustomerAnnotations.Tags(addTags, out problem);
        if (problem is not null)
        {
            return (null, "addTags", problem);
        }
        var remove = CustomerAnnotations.Tags(removeTags, out problem);
        if (problem is not null)
        {
            return (null, "removeTags", problem);
        }
        var customerName = CustomerAnnotations.Name(name, out problem);
        if (problem is not null)
        {
            return (null, "name", problem);
        }
        return text is null && add.Count == 0 && remove.Count == 0 && customerName is null
            ? (null, "note", "or a tag to add or remove, or the customer's name, is required")
            : (new CustomerAnnotation(text, add, remove, customerName), null, null);
    }
}
