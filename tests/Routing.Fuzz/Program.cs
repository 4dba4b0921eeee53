using Routing.Fuzz;
using SharpFuzz;

// Routing.Fuzz <target>                      run under afl-fuzz (make fuzz): one input per round, from afl-fuzz
// Routing.Fuzz --replay <target> <path>...   run files (or every file of directories) through a target; exit 1 on a finding
// Routing.Fuzz --list                        the targets
if (args is ["--list"])
{
    Console.WriteLine(string.Join('\n', Targets.All.Keys));
    return 0;
}
if (args is ["--replay", var replayed, .. var paths])
{
    return Replay.Run(replayed, paths, Console.Out) ? 0 : 1;
}
if (args is [var name] && Targets.All.ContainsKey(name))
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Targets.All[name](buffer.ToArray());
    });
    return 0;
}
Console.Error.WriteLine($"usage: Routing.Fuzz <{string.Join('|', Targets.All.Keys)}> | --replay <target> <path>... | --list");
return 2;
