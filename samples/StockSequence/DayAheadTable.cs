using System.Globalization;
using System.Text;
using StockSequence.Forecasting;

namespace StockSequence;

/// <summary>
/// Renders per-day-ahead metrics as an aligned plain-text table: one line per day ahead, then all days together; per
/// forecaster its RMSE and MAE, and, for every forecaster after the first (persistence, whose skill is 0 by definition),
/// its skill against persistence on the same day.
/// </summary>
public static class DayAheadTable
{
    /// <summary>Renders the table.</summary>
    /// <param name="rows">The days, then the pooled row (see <see cref="DayAheadMetrics.Compute"/>); every row lists the same
    /// forecasters in the same order, persistence first.</param>
    /// <returns>A line naming the forecasters over their columns, a header line, a rule and one line per row.</returns>
    public static string Render(IReadOnlyList<DayAheadMetrics> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("There are no days to show.", nameof(rows));
        }

        var models = rows[0].Models.Select(m => m.Model).ToList();
        if (rows.Any(r => !r.Models.Select(m => m.Model).SequenceEqual(models)))
        {
            throw new ArgumentException("Every row needs the same forecasters in the same order.", nameof(rows));
        }

        // Columns: the day, then per forecaster RMSE, MAE and (after the first, persistence) skill.
        var groups = models.Select((name, m) => (Name: name, Columns: m == 0 ? new[] { "RMSE", "MAE" } : ["RMSE", "MAE", "Skill"])).ToList();
        var header = new List<string> { "Day ahead" };
        header.AddRange(groups.SelectMany(g => g.Columns));
        var lines = rows.Select(r =>
        {
            var cells = new List<string> { r.Day is int day ? day.ToString(CultureInfo.InvariantCulture) : "all" };
            for (int m = 0; m < r.Models.Count; m++)
            {
                cells.Add(Number(r.Models[m].Rmse));
                cells.Add(Number(r.Models[m].Mae));
                if (m > 0)
                {
                    cells.Add(Skill(r.Models[m].SkillVsPersistence));
                }
            }

            return cells.ToArray();
        }).ToList();

        int[] widths = header.Select((h, i) => lines.Select(l => l[i].Length).Append(h.Length).Max()).ToArray();
        // Widen each group's last column until the forecaster's name fits over the group.
        int column = 1;
        var groupStarts = new List<int>();
        foreach (var group in groups)
        {
            groupStarts.Add(column);
            int span = Enumerable.Range(column, group.Columns.Length).Sum(i => widths[i]) + 2 * (group.Columns.Length - 1);
            widths[column + group.Columns.Length - 1] += Math.Max(0, group.Name.Length - span);
            column += group.Columns.Length;
        }

        var text = new StringBuilder();
        text.Append(new string(' ', widths[0]));
        for (int g = 0; g < groups.Count; g++)
        {
            int span = Enumerable.Range(groupStarts[g], groups[g].Columns.Length).Sum(i => widths[i]) + 2 * (groups[g].Columns.Length - 1);
            text.Append(Gap(g)).Append(groups[g].Name.PadLeft(span));
        }

        text.AppendLine();
        void Line(IReadOnlyList<string> cells)
        {
            for (int i = 0; i < cells.Count; i++)
            {
                text.Append(i == 0 ? cells[i].PadRight(widths[i]) : (groupStarts.Contains(i) && i > 1 ? "    " : "  ") + cells[i].PadLeft(widths[i]));
            }

            text.AppendLine();
        }

        Line(header);
        text.AppendLine(new string('-', widths.Sum() + 2 * (widths.Length - 1) + 2 * (groups.Count - 1)));
        lines.ForEach(Line);
        return text.ToString();
    }

    /// <summary>Space before group <paramref name="g"/>'s name: two after the day column, four between forecasters.</summary>
    private static string Gap(int g) => g == 0 ? "  " : "    ";

    private static string Skill(double skill) => (skill > 0 ? "+" : "") + ResultsTable.Percent(skill, "0.00");

    private static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "0.00" : "0.0000", CultureInfo.InvariantCulture);

    /// <summary>Renders an interval's coverage and mean width per day ahead, then all days pooled.</summary>
    /// <param name="days">Per day ahead, day 1 first.</param>
    /// <param name="all">All days pooled.</param>
    /// <returns>A header line, a rule and one line per day, then "all".</returns>
    public static string RenderIntervals(IReadOnlyList<IntervalScore> days, IntervalScore all)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(all);
        string[] header = ["Day ahead", "Coverage", "Mean width"];
        var lines = days.Select((d, i) => new[] { (i + 1).ToString(CultureInfo.InvariantCulture), ResultsTable.Percent(d.Coverage), Number(d.MeanWidth) })
            .Append(["all", ResultsTable.Percent(all.Coverage), Number(all.MeanWidth)]).ToList();
        int[] widths = header.Select((h, i) => lines.Select(l => l[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells) =>
            text.AppendLine(string.Concat(cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : "  " + c.PadLeft(widths[i]))));
        Line(header);
        text.AppendLine(new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        lines.ForEach(Line);
        return text.ToString();
    }
}
