using System.Globalization;
using Routing.Chaos;

// make chaos: every scenario (or those named) against the instance the environment names, one after the other; a table
// of what the checker found, and exit 1 if any scenario lost, doubled or stranded anything.
//   Routing.Chaos [--small] [scenario ...]
var small = args.Contains("--small");
var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var scenarios = names.Count == 0 ? Scenario.All : names.Select(Scenario.Named).ToList();
var options = small ? CampaignOptions.Small : CampaignOptions.Full;
var stack = await ChaosStack.AttachAsync();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"chaos on the {stack.Instance} instance: {options.Rate} webhooks/s for {options.Duration.TotalSeconds} s per scenario, {options.Agents} agents, {Environment.ProcessorCount} cores"));
var verdicts = new List<Verdict>();
foreach (var scenario in scenarios)
{
    Verdict verdict;
    try
    {
        verdict = await Campaign.RunAsync(stack, scenario, options, Console.Out);
    }
    catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or Npgsql.NpgsqlException or TimeoutException)
    {
        // reported as not clean, and the next scenario starts the stack again
        verdict = Verdict.CouldNotRun(scenario.Name, ex);
    }
    Console.WriteLine(verdict);
    verdicts.Add(verdict);
}
Console.WriteLine();
Console.WriteLine(Verdict.Header);
foreach (var verdict in verdicts)
{
    Console.WriteLine(verdict.Row);
}
var dirty = verdicts.Where(v => !v.Clean).Select(v => v.Scenario).ToList();
Console.WriteLine(dirty.Count == 0 ? $"chaos: {verdicts.Count} scenarios, all clean" : $"chaos: {dirty.Count} of {verdicts.Count} scenarios not clean: {string.Join(", ", dirty)}");
return dirty.Count == 0 ? 0 : 1;
