using System.Globalization;

namespace Routing.Benchmarks;

internal sealed record BenchOptions(int Messages, int Customers, int Agents, int InFlight, int PreseededCustomers, int Rounds, int Warmup)
{
    public static BenchOptions Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }
        return new BenchOptions(Get("messages", 5000), Get("customers", 1000), Get("agents", 50), Get("in-flight", 256), Get("preseed", 0), Get("rounds", 3), Get("warmup", 1));
    }
}
