namespace Microsoft.ML.Rnn;

/// <summary>
/// Options for <see cref="SequenceWindowCatalog.CreateSequenceWindows(DataOperationsCatalog, IDataView, SequenceWindowOptions)"/>:
/// which columns of a series (one row per time step) become the windows, how long they are, and what the label is.
/// </summary>
/// <remarks>
/// <para>Indexing. Candidate window <c>k</c> (k = 0, 1, …) covers source rows <c>s = k·Stride</c> to
/// <c>t = s + WindowLength − 1</c>. Its label holds the target column at rows <c>t + Horizon</c> …
/// <c>t + Horizon + LabelSteps − 1</c>. The first window starts at the first row; the grid never shifts, also not
/// around skipped windows.</para>
/// <para>Output. <see cref="FeaturesColumnName"/> is a Single vector of known size <c>WindowLength × features per step</c>,
/// time-major: step 0's features (in the order of <see cref="InputColumns"/>), then step 1's, and so on. Its type has the two
/// dimensions <c>[WindowLength, features per step]</c> and slot names like <c>Close@t-2</c>, <c>Close@t-1</c>, <c>Close@t</c>.
/// <see cref="LabelColumnName"/> is a Single when <see cref="LabelSteps"/> is 1, otherwise a Single vector of that size.</para>
/// <para>Several series. With <see cref="SeriesIdColumnName"/>, row indices above count from each series' first row: the
/// windows of each series are exactly those it would give alone, one series after the other.</para>
/// </remarks>
public sealed class SequenceWindowOptions
{
    /// <summary>The default name of the time-major feature vector column.</summary>
    public const string DefaultFeaturesColumnName = "Features";

    /// <summary>The default name of the label column.</summary>
    public const string DefaultLabelColumnName = "Label";

    /// <summary>The default name of the column holding the target's normalisation reference value.</summary>
    public const string DefaultReferenceColumnName = "WindowReference";

    /// <summary>
    /// The series columns read at every step, in feature order. Each is Single or Double (converted to Single), or a known-size
    /// vector of Single or Double that contributes all its slots. Required, at least one.
    /// </summary>
    public required IReadOnlyList<string> InputColumns { get; set; }

    /// <summary>
    /// The column the label is taken from, Single or Double. When null (the default), the first of <see cref="InputColumns"/>,
    /// which must then be a scalar. The target need not be an input (for example, predict a price from volumes).
    /// </summary>
    public string? TargetColumn { get; set; }

    /// <summary>The number of steps in each window, at least 1. Required.</summary>
    public required int WindowLength { get; set; }

    /// <summary>
    /// How many steps after the window's last step the (first) label value lies; 1 (the default) is the next step.
    /// 0 takes the label from the window's last row, which makes sense only when the target is not an input.
    /// </summary>
    public int Horizon { get; set; } = 1;

    /// <summary>
    /// The number of consecutive target values in the label, starting <see cref="Horizon"/> steps ahead. 1 (the default) gives a
    /// Single label; M &gt; 1 gives a vector label of the next M values (with Horizon 1: steps t+1 … t+M).
    /// </summary>
    public int LabelSteps { get; set; } = 1;

    /// <summary>Steps between the starts of consecutive windows, at least 1 (the default, every window).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>
    /// Source columns copied unchanged to every window (any type; annotations are kept), from the row chosen by
    /// <see cref="PassThroughRow"/>. Typical: the target's date. Empty by default.
    /// </summary>
    public IReadOnlyList<string> PassThroughColumns { get; set; } = [];

    /// <summary>Which row the <see cref="PassThroughColumns"/> are copied from; by default the row of the first label value.</summary>
    public PassThroughRow PassThroughRow { get; set; } = PassThroughRow.FirstLabelRow;

    /// <summary>
    /// The column naming the series each row belongs to, for windows over several series at once (one model for many series);
    /// null (the default) for one series. Any scalar column: text, a number, a key, a date. The rows of a series must be
    /// contiguous and in time order; the windows restart at every change of id, so no window (and no label) spans two series,
    /// and a series shorter than one window gives none. An id that comes back after another id fails the cursor, naming the
    /// row. The column is copied to every window (from one of the window's own rows, so also to unlabeled tail windows) under
    /// its own name; listing it in <see cref="PassThroughColumns"/> as well changes nothing. The per-window normalisation is
    /// per series by construction, as a window's reference lies in its own series.
    /// </summary>
    public string? SeriesIdColumnName { get; set; }

    /// <summary>The per-window normalisation; none by default.</summary>
    public SequenceWindowNormalization Normalization { get; set; } = SequenceWindowNormalization.None;

    /// <summary>
    /// When true, the windows at the end of the series whose label lies (partly) past the last row are produced too, with NaN in
    /// the label values that do not exist yet: the windows to forecast from. False by default, so every window has a full label.
    /// </summary>
    public bool IncludeUnlabeledTail { get; set; }

    /// <summary>The name of the output feature vector column; "Features" by default.</summary>
    public string FeaturesColumnName { get; set; } = DefaultFeaturesColumnName;

    /// <summary>The name of the output label column; "Label" by default.</summary>
    public string LabelColumnName { get; set; } = DefaultLabelColumnName;

    /// <summary>
    /// The name of the output Single column holding the target's value at the window's reference step (the value a normalised
    /// label or prediction is relative to); "WindowReference" by default. Produced only when <see cref="Normalization"/> is not
    /// <see cref="SequenceWindowNormalization.None"/>.
    /// </summary>
    public string ReferenceColumnName { get; set; } = DefaultReferenceColumnName;

    /// <summary>Source rows needed for the first window: <c>WindowLength + Horizon + LabelSteps − 1</c>, or <c>WindowLength</c>
    /// when <see cref="IncludeUnlabeledTail"/> is set.</summary>
    internal long MinimumRows => IncludeUnlabeledTail ? WindowLength : (long)WindowLength + Horizon + LabelSteps - 1;

    internal SequenceWindowOptions Clone() => new()
    {
        InputColumns = InputColumns is null ? null! : [.. InputColumns],
        TargetColumn = TargetColumn,
        WindowLength = WindowLength,
        Horizon = Horizon,
        LabelSteps = LabelSteps,
        Stride = Stride,
        PassThroughColumns = PassThroughColumns is null ? null! : [.. PassThroughColumns],
        PassThroughRow = PassThroughRow,
        SeriesIdColumnName = SeriesIdColumnName,
        Normalization = Normalization,
        IncludeUnlabeledTail = IncludeUnlabeledTail,
        FeaturesColumnName = FeaturesColumnName,
        LabelColumnName = LabelColumnName,
        ReferenceColumnName = ReferenceColumnName,
    };
}
