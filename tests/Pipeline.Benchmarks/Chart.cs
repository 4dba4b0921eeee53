using System.Globalization;
using System.Text;

namespace Routing.Pipeline.Benchmarks;

/// <summary>
/// Latency against offered rate as a self-contained SVG: end-to-end p50, p99 and p99.9 of every step on a logarithmic
/// axis, and the highest rate at which no backlog grew. Plain SVG, readable in a browser and on GitHub.
/// </summary>
public static class Chart
{
    private const double Width = 720, Height = 420, Left = 70, Right = 20, Top = 40, Bottom = 60;

    public static string Svg(IReadOnlyList<StepResult> steps, double sustained, string caption)
    {
        var points = steps.Where(s => s.EndToEnd.Count > 0).OrderBy(s => s.Rate).ToList();
        var maxRate = Math.Max(points.Max(p => p.Rate), sustained) * 1.05;
        var maxMs = Math.Max(10, points.Max(p => p.EndToEnd.P999));
        var minMs = Math.Max(0.5, Math.Min(1, points.Min(p => p.EndToEnd.P50)));
        var logMin = Math.Floor(Math.Log10(minMs));
        var logMax = Math.Ceiling(Math.Log10(maxMs));
        double X(double rate) => Left + rate / maxRate * (Width - Left - Right);
        double Y(double ms) => Top + (1 - (Math.Log10(Math.Max(ms, minMs)) - logMin) / (logMax - logMin)) * (Height - Top - Bottom);
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="t">""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="t">End-to-end latency (webhook sent to the agent's tool) against offered rate: {Escape(caption)}</title>""").AppendLine();
        svg.AppendLine($"""<rect width="{Width}" height="{Height}" fill="#fff"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left}" y="22" font-size="14" font-weight="bold">Webhook → agent's tool, by offered rate ({Escape(caption)})</text>""").AppendLine();
        for (var decade = logMin; decade <= logMax; decade++)
        {
            var ms = Math.Pow(10, decade);
            var label = ms >= 1000 ? $"{ms / 1000:0.#} s" : $"{ms:0.#} ms";
            svg.AppendLine($"""<line x1="{Left}" x2="{Width - Right}" y1="{F(Y(ms))}" y2="{F(Y(ms))}" stroke="#ddd"/><text x="{Left - 6}" y="{F(Y(ms) + 4)}" text-anchor="end">{label}</text>""");
        }
        var tick = NiceStep(maxRate / 6);
        for (var rate = 0.0; rate <= maxRate; rate += tick)
        {
            svg.AppendLine($"""<line x1="{F(X(rate))}" x2="{F(X(rate))}" y1="{Top}" y2="{Height - Bottom}" stroke="#eee"/><text x="{F(X(rate))}" y="{Height - Bottom + 16}" text-anchor="middle">{rate:0}</text>""");
        }
        svg.AppendLine($"""<text x="{F((Left + Width - Right) / 2)}" y="{Height - 18}" text-anchor="middle">offered messages per second (open loop)</text>""");
        svg.AppendLine($"""<line x1="{F(X(sustained))}" x2="{F(X(sustained))}" y1="{Top}" y2="{Height - Bottom}" stroke="#555" stroke-dasharray="4 3"/>""");
        svg.AppendLine($"""<text x="{F(X(sustained) - 4)}" y="{Top + 12}" text-anchor="end" fill="#333">sustained {sustained:0}/s</text>""");
        var series = new (string Name, string Colour, string Dash, Func<StepResult, double> Of)[]
        {
            ("p50", "#1b6ec2", "", s => s.EndToEnd.P50),
            ("p99", "#c2410c", "6 3", s => s.EndToEnd.P99),
            ("p99.9", "#7e22ce", "2 3", s => s.EndToEnd.P999),
        };
        for (var i = 0; i < series.Length; i++)
        {
            var (name, colour, dash, of) = series[i];
            var path = string.Join(' ', points.Select((p, k) => $"{(k == 0 ? 'M' : 'L')}{F(X(p.Rate))},{F(Y(of(p)))}"));
            svg.AppendLine($"""<path d="{path}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>""");
            foreach (var p in points)
            {
                svg.AppendLine($"""<circle cx="{F(X(p.Rate))}" cy="{F(Y(of(p)))}" r="{(p.KeptUp ? 3 : 4)}" fill="{(p.KeptUp ? colour : "#fff")}" stroke="{colour}"/>""");
            }
            var legendX = Left + 10 + i * 90;
            svg.AppendLine($"""<line x1="{legendX}" x2="{legendX + 24}" y1="{Top + 10}" y2="{Top + 10}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{legendX + 30}" y="{Top + 14}">{name}</text>""");
        }
        svg.AppendLine($"""<text x="{Left + 290}" y="{Top + 14}" fill="#333">hollow: a backlog grew</text>""");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double NiceStep(double rough)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(step => step >= rough);
    }

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text);
}
