using System.Globalization;
using System.Text;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>Renders forecast metrics as an aligned plain-text table (readable in a terminal and in a CI log alike).</summary>
public static class ResultsTable
{
    /// <summary>Renders the table, one line per forecaster.</summary>
    /// <param name="metrics">The rows.</param>
    /// <returns>The table, with a header line and a rule.</returns>
    public static string Render(IEnumerable<ForecastMetrics> metrics)
    {
        string[] header = ["Model", "RMSE", "MAE", "Direction", "Skill vs persistence", "DM t", "p"];
        var rows = metrics.Select(m => new[]
        {
            m.Model,
            Number(m.Rmse),
            Number(m.Mae),
            m.DirectionAccuracy is double d ? Percent(d) : "n/a",
            (m.SkillVsPersistence > 0 ? "+" : "") + Percent(m.SkillVsPersistence, "0.00"),
            m.DieboldMariano is { } dm ? dm.Statistic.ToString("+0.00;-0.00", CultureInfo.InvariantCulture) : "",
            m.DieboldMariano is { } test ? PValue(test.PValue) : "",
        }).ToList();

        int[] widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells)
        {
            for (int i = 0; i < cells.Length; i++)
            {
                text.Append(i == 0 ? cells[i].PadRight(widths[i]) : "  " + cells[i].PadLeft(widths[i]));
            }

            text.AppendLine();
        }

        Line(header);
        text.AppendLine(new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        rows.ForEach(Line);
        return text.ToString();
    }

    /// <summary>A share as a percentage, "52.3%", the same in every culture.</summary>
    public static string Percent(double share, string format = "0.0") =>
        (share * 100).ToString(format, CultureInfo.InvariantCulture) + "%";

    /// <summary>A p-value to three decimals, "&lt;0.001" below that.</summary>
    public static string PValue(double p) => p < 0.001 ? "<0.001" : p.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "0.00" : "0.0000", CultureInfo.InvariantCulture);
}
