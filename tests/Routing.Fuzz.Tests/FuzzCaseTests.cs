
namespace Routing.Fuzz.Tests;

public sealed class FuzzCaseTests
{
    public static TheoryData<string> TargetNames => new(Targets.All.Keys);

    /// <summary>The seeds are what each provider documents: each target must take them without a finding, or fuzzing starts from noise.</summary>
    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Should_take_every_seed_without_a_finding(string target) => AssertClean(target, "seeds", atLeast: 1);

    public static TheoryData<string> TargetsWithRegressions =>
        new(Targets.All.Keys.Where(t => Directory.Exists(Path.Combine(AppContext.BaseDirectory, "regressions", t))));

    /// <summary>
    /// Inputs that once crashed a target (tests/Routing.Fuzz/regressions/&lt;target&gt;, from afl-fuzz or the hostile-input
    /// table): fixed, and kept fixed.
    /// </summary>
    [Theory]
    [MemberData(nameof(TargetsWithRegressions))]
    public void Should_take_every_regression_case_without_a_finding(string target) => AssertClean(target, "regressions", atLeast: 1);

    private static void AssertClean(string target, string folder, int atLeast)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, folder, target);
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories) : [];
        Assert.True(files.Length >= atLeast, $"{directory} holds {files.Length} inputs");
        using var findings = new StringWriter();
        Assert.True(Replay.Run(target, files, findings), findings.ToString());
    }
}
