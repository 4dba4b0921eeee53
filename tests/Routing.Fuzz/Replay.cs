namespace Routing.Fuzz;

/// <summary>Runs saved inputs through a target outside afl-fuzz: the seeds and regression cases in make test, and afl-fuzz's crashes in make fuzz.</summary>
public static class Replay
{
    /// <summary>True when every input passed; each finding is written as the file and the exception's type and first frames.</summary>
    public static bool Run(string target, IEnumerable<string> paths, TextWriter output)
    {
        var run = Targets.All[target];
        var clean = true;
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]).Order())
        {
            if (Path.GetFileName(file) is "README.txt" or ".gitkeep")
            {
                continue;
            }
            try
            {
                run(File.ReadAllBytes(file));
            }
            catch (Exception ex)
            {
                clean = false;
                output.WriteLine($"{target}: {file}: {ex.GetType().FullName}: {ex.Message}");
                output.WriteLine(string.Join('\n', (ex.StackTrace ?? "").Split('\n').Take(6)));
            }
        }
        return clean;
    }
}
