using System.Reflection;

namespace Routing.Supervision;

/// <summary>The console's one stylesheet and one script, compiled into routing (nothing to fetch from elsewhere, no build step).</summary>
internal static class ConsoleAssets
{
    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Files = new(StringComparer.Ordinal)
    {
        ["console.css"] = ("text/css; charset=utf-8", Read("console.css")),
        ["console.js"] = ("text/javascript; charset=utf-8", Read("console.js")),
    };

    public static void Map(RouteGroupBuilder console) =>
        console.MapGet("/assets/{name}", (string name, HttpContext http) =>
        {
            if (!Files.TryGetValue(name, out var file))
            {
                return Results.NotFound();
            }
            http.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Bytes(file.Content, file.ContentType);
        });

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Routing.Supervision.Assets.{name}")
            ?? throw new InvalidOperationException($"The console's {name} is not compiled into routing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
