using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Streams windows over a source cursor. A ring buffer holds the source rows from the current window's first row to its last
/// label row (<c>WindowLength + Horizon + LabelSteps − 1</c> rows), so memory does not depend on the series length and no
/// row is read before it is needed. The ring grows with the rows read until it holds that many, so a window longer than the
/// series costs what the series holds, not what the window would. Getters build their values from the ring on demand and
/// reuse the caller's buffers. With a series id, the ring restarts at every new series: row and window indices count from the
/// series' first row, and the source's first row of the next series waits on the source cursor until the current series'
/// windows are done.
/// </summary>
internal sealed class SequenceWindowCursor : DataViewRowCursor
{
    /// <summary>Rows the ring holds after the first row is read; it doubles from there up to the span.</summary>
    private const int InitialRingRows = 64;

    private readonly SequenceWindowDataView _parent;
    private readonly SequenceWindowBinding _binding;
    private readonly DataViewRowCursor _source;
    private readonly bool[] _active;
    private readonly Delegate?[] _getters;

    private readonly int _span;
    private readonly int _featuresPerStep;
    private readonly int _window;
    private readonly int _horizon;
    private readonly int _labelSteps;
    private readonly int _stride;
    private readonly SequenceWindowNormalization _normalization;

    private readonly StepReader[] _inputReaders;
    private readonly ValueGetter<float>? _targetSingle;
    private readonly ValueGetter<double>? _targetDouble;
    private readonly PassThroughRing?[] _passThrough;
    private readonly SeriesIdTracker? _seriesId;

    // The ring: slot = row % _span. Until _span rows are read it holds _ringRows rows; while it grows, slot = row.
    private int _ringRows;
    private double[] _features = [];
    private double[] _targets = [];
    private bool[] _inputBad = [];
    private bool[] _targetBad = [];

    // Rows and candidate windows of the current series; those of the series before it are in the totals.
    private long _rowsRead;
    private long _rowsBefore;
    private long _candidatesBefore;
    private long _longestSeries;
    private long _seriesCount;

    // The source cursor is on the first row of the next series, not yet read into the ring.
    private bool _nextSeriesWaiting;
    private bool _sourceEnded;
    private bool _done;
    private long _nextCandidate;
    private long _current = -1;
    private long _position = -1;

    private long _nonFiniteRows;
    private long _skippedNonFinite;
    private long _skippedZeroReference;

    public SequenceWindowCursor(SequenceWindowDataView parent, SequenceWindowBinding binding, IDataView source, bool[] active)
    {
        _parent = parent;
        _binding = binding;
        _active = active;
        var options = binding.Options;
        _span = binding.SpanRows;
        _featuresPerStep = binding.FeaturesPerStep;
        _window = options.WindowLength;
        _horizon = options.Horizon;
        _labelSteps = options.LabelSteps;
        _stride = options.Stride;
        _normalization = options.Normalization;

        var needed = binding.Inputs.Select(i => i.Column).Append(binding.Target);
        var passThroughActive = new bool[binding.PassThrough.Count];
        for (int i = 0; i < passThroughActive.Length; i++)
        {
            passThroughActive[i] = active[binding.PassThroughStart + i];
            if (passThroughActive[i])
            {
                needed = needed.Append(binding.PassThrough[i]);
            }
        }

        if (binding.SeriesId is { } seriesId)
        {
            needed = needed.Append(seriesId);
        }

        _source = source.GetRowCursor(needed.Distinct());
        _seriesId = binding.SeriesId is { } id ? SeriesIdTracker.Create(_source, id) : null;
        _inputReaders = binding.Inputs.Select(i => StepReader.Create(_source, i)).ToArray();
        if (binding.TargetIsDouble)
        {
            _targetDouble = _source.GetGetter<double>(binding.Target);
        }
        else
        {
            _targetSingle = _source.GetGetter<float>(binding.Target);
        }

        _passThrough = new PassThroughRing?[passThroughActive.Length];
        for (int i = 0; i < _passThrough.Length; i++)
        {
            _passThrough[i] = passThroughActive[i] ? PassThroughRing.Create(_source, binding.PassThrough[i]) : null;
        }

        _getters = new Delegate?[binding.OutputSchema.Count];
        _getters[SequenceWindowBinding.FeaturesIndex] = (ValueGetter<VBuffer<float>>)GetFeatures;
        _getters[SequenceWindowBinding.LabelIndex] = _labelSteps == 1
            ? (ValueGetter<float>)GetScalarLabel
            : (ValueGetter<VBuffer<float>>)GetVectorLabel;
        if (binding.ReferenceIndex >= 0)
        {
            _getters[binding.ReferenceIndex] = (ValueGetter<float>)GetReference;
        }

        Func<int> passThroughSlot = options.PassThroughRow == PassThroughRow.LastWindowRow ? LastWindowSlot : FirstLabelSlot;
        for (int i = 0; i < _passThrough.Length; i++)
        {
            // The id from one of the window's own rows: the label row of a tail window is past its series' end.
            _getters[binding.PassThroughStart + i] = _passThrough[i]?.MakeGetter(i == binding.SeriesIdPassThrough ? LastWindowSlot : passThroughSlot);
        }
    }

    /// <inheritdoc/>
    public override DataViewSchema Schema => _binding.OutputSchema;

    /// <inheritdoc/>
    public override long Position => _position;

    /// <inheritdoc/>
    public override long Batch => 0;

    /// <summary>The statistics so far; complete once <see cref="MoveNext"/> has returned false at the end of the source.</summary>
    public SequenceWindowStatistics Statistics => new(_rowsBefore + _rowsRead, _nonFiniteRows, _position + 1, _skippedNonFinite, _skippedZeroReference);

    /// <inheritdoc/>
    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        CheckColumn(column);
        return _active[column.Index];
    }

    /// <inheritdoc/>
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        CheckColumn(column);
        if (!_active[column.Index])
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
        }

        if (_getters[column.Index] is not ValueGetter<TValue> getter)
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' has type {column.Type}, read as {column.Type.RawType.Name}; it was asked for as {typeof(TValue).Name}.");
        }

        return getter;
    }

    /// <inheritdoc/>
    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
    {
        EnsureOnRow();
        id = new DataViewRowId((ulong)(_candidatesBefore + _current), 0);
    };

    /// <inheritdoc/>
    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        while (true)
        {
            long start = _nextCandidate * _stride;
            long last = start + _window - 1;
            long end = start + _span - 1;
            while (_rowsRead <= end && !_sourceEnded && !_nextSeriesWaiting)
            {
                ReadNextRow();
            }

            bool labelIncomplete = _rowsRead <= end;
            if (labelIncomplete && !(_binding.Options.IncludeUnlabeledTail && _rowsRead > last))
            {
                if (_nextSeriesWaiting)
                {
                    StartNextSeries();
                    continue;
                }

                Finish();
                return false;
            }

            long candidate = _nextCandidate++;
            if (HasNonFiniteValue(start, last))
            {
                _skippedNonFinite++;
                continue;
            }

            if (_normalization != SequenceWindowNormalization.None && HasZeroReference(start, last))
            {
                _skippedZeroReference++;
                continue;
            }

            // Finite values over a tiny reference (1 / 1e-40) can leave Single's range.
            if (_normalization != SequenceWindowNormalization.None && HasOverflowingRelativeValue(start, last))
            {
                _skippedNonFinite++;
                continue;
            }

            _current = candidate;
            _position++;
            return true;
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }

        _done = true;
        base.Dispose(disposing);
    }

    private void ReadNextRow()
    {
        if (!_source.MoveNext())
        {
            _sourceEnded = true;
            return;
        }

        if (_seriesId is not null && _seriesId.StartsNewSeries(_rowsBefore + _rowsRead))
        {
            _nextSeriesWaiting = true;
            return;
        }

        StoreSourceRow();
    }

    /// <summary>Restarts the ring at the row waiting on the source cursor: the first of the next series.</summary>
    private void StartNextSeries()
    {
        _longestSeries = Math.Max(_longestSeries, _rowsRead);
        _rowsBefore += _rowsRead;
        _candidatesBefore += _nextCandidate;
        _rowsRead = 0;
        _nextCandidate = 0;
        _nextSeriesWaiting = false;
        StoreSourceRow();
    }

    /// <summary>Copies the source cursor's current row into the ring as the current series' next row.</summary>
    private void StoreSourceRow()
    {
        if (_rowsRead == 0)
        {
            _seriesCount++;
        }

        if (_rowsRead == _ringRows && _ringRows < _span)
        {
            GrowRing();
        }

        int slot = Slot(_rowsRead);
        var features = _features.AsSpan(slot * _featuresPerStep, _featuresPerStep);
        for (int i = 0; i < _inputReaders.Length; i++)
        {
            var input = _binding.Inputs[i];
            _inputReaders[i].Read(features.Slice(input.Offset, input.Width));
        }

        bool inputBad = false;
        foreach (double value in features)
        {
            inputBad |= !IsUsable(value);
        }

        double target = 0;
        if (_targetDouble is not null)
        {
            _targetDouble(ref target);
        }
        else
        {
            float single = 0;
            _targetSingle!(ref single);
            target = single;
        }

        _targets[slot] = target;
        _inputBad[slot] = inputBad;
        _targetBad[slot] = !IsUsable(target);
        if (inputBad || _targetBad[slot])
        {
            _nonFiniteRows++;
        }

        foreach (var ring in _passThrough)
        {
            ring?.Read(slot);
        }

        _rowsRead++;
    }

    /// <summary>Doubles the ring, up to the span. Rows so far sit in slots 0 … _ringRows − 1 (none has wrapped yet), so they keep
    /// their slots.</summary>
    private void GrowRing()
    {
        _ringRows = (int)Math.Min(_span, Math.Max(InitialRingRows, 2L * _ringRows));
        Array.Resize(ref _features, _ringRows * _featuresPerStep);
        Array.Resize(ref _targets, _ringRows);
        Array.Resize(ref _inputBad, _ringRows);
        Array.Resize(ref _targetBad, _ringRows);
        foreach (var ring in _passThrough)
        {
            ring?.Grow(_ringRows);
        }
    }

    /// <summary>Finite, and finite once rounded to Single.</summary>
    private static bool IsUsable(double value) => double.IsFinite(value) && Math.Abs(value) <= float.MaxValue;

    /// <summary>The relative normalisation of one value, in Double as <see cref="SequenceWindowNormalizer"/> does.</summary>
    private static double Relative(double value, double reference) => value / reference - 1.0;

    private void Finish()
    {
        _done = true;
        if (_candidatesBefore + _nextCandidate == 0)
        {
            var options = _binding.Options;
            string needs = options.IncludeUnlabeledTail
                ? $"one window needs WindowLength = {options.WindowLength} rows"
                : $"one window and its label need WindowLength + Horizon + LabelSteps - 1 = {options.MinimumRows} rows";
            string found = _seriesId is null
                ? $"The series is too short for even one window: it has {_rowsRead} rows"
                : $"Every series is too short for even one window: the longest of the {_seriesCount} series in '{options.SeriesIdColumnName}' " +
                    $"has {Math.Max(_longestSeries, _rowsRead)} rows";
            throw new InvalidOperationException($"{found}, and {needs}.");
        }

        _parent.RecordCompletedPass(Statistics);
    }

    private bool HasNonFiniteValue(long start, long last)
    {
        for (long row = start; row <= last; row++)
        {
            if (_inputBad[Slot(row)])
            {
                return true;
            }
        }

        for (int j = 0; j < _labelSteps; j++)
        {
            long row = last + _horizon + j;
            if (row < _rowsRead && _targetBad[Slot(row)])
            {
                return true;
            }
        }

        // The target's reference value, when the target is not one of the inputs checked above.
        return _normalization != SequenceWindowNormalization.None && _targetBad[Slot(ReferenceRow(start, last))];
    }

    private bool HasZeroReference(long start, long last)
    {
        int slot = Slot(ReferenceRow(start, last));
        if (_targets[slot] == 0)
        {
            return true;
        }

        foreach (double value in _features.AsSpan(slot * _featuresPerStep, _featuresPerStep))
        {
            if (value == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a normalised feature or label value of the window would not fit in Single (its inputs are usable and its
    /// references nonzero, as checked before).</summary>
    private bool HasOverflowingRelativeValue(long start, long last)
    {
        int referenceSlot = Slot(ReferenceRow(start, last));
        var reference = _features.AsSpan(referenceSlot * _featuresPerStep, _featuresPerStep);
        for (long row = start; row <= last; row++)
        {
            var step = _features.AsSpan(Slot(row) * _featuresPerStep, _featuresPerStep);
            for (int f = 0; f < step.Length; f++)
            {
                if (!IsUsable(Relative(step[f], reference[f])))
                {
                    return true;
                }
            }
        }

        for (int j = 0; j < _labelSteps; j++)
        {
            long row = last + _horizon + j;
            if (row < _rowsRead && !IsUsable(Relative(_targets[Slot(row)], _targets[referenceSlot])))
            {
                return true;
            }
        }

        return false;
    }

    private long ReferenceRow(long start, long last) =>
        _normalization == SequenceWindowNormalization.RelativeToFirst ? start : last;

    private int Slot(long row) => (int)(row % _span);

    private long CurrentStart => _current * _stride;

    private long CurrentLast => CurrentStart + _window - 1;

    private int LastWindowSlot()
    {
        EnsureOnRow();
        return Slot(CurrentLast);
    }

    private int FirstLabelSlot()
    {
        EnsureOnRow();
        long row = CurrentLast + _horizon;
        return row < _rowsRead ? Slot(row) : -1;
    }

    private void EnsureOnRow()
    {
        if (_position < 0 || _done)
        {
            throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and read values only while it returns true.");
        }
    }

    private void GetFeatures(ref VBuffer<float> destination)
    {
        EnsureOnRow();
        int size = _window * _featuresPerStep;
        var editor = VBufferEditor.Create(ref destination, size);
        var values = editor.Values;
        long start = CurrentStart;
        bool normalized = _normalization != SequenceWindowNormalization.None;
        int referenceOffset = normalized ? Slot(ReferenceRow(start, CurrentLast)) * _featuresPerStep : 0;
        for (int step = 0; step < _window; step++)
        {
            int offset = Slot(start + step) * _featuresPerStep;
            for (int f = 0; f < _featuresPerStep; f++)
            {
                double value = _features[offset + f];
                if (normalized)
                {
                    value = Relative(value, _features[referenceOffset + f]);
                }

                values[step * _featuresPerStep + f] = (float)value;
            }
        }

        destination = editor.Commit();
    }

    private float LabelValue(int j)
    {
        long row = CurrentLast + _horizon + j;
        if (row >= _rowsRead)
        {
            return float.NaN; // past the end of the series (IncludeUnlabeledTail)
        }

        double value = _targets[Slot(row)];
        if (_normalization != SequenceWindowNormalization.None)
        {
            value = Relative(value, _targets[Slot(ReferenceRow(CurrentStart, CurrentLast))]);
        }

        return (float)value;
    }

    private void GetScalarLabel(ref float destination)
    {
        EnsureOnRow();
        destination = LabelValue(0);
    }

    private void GetVectorLabel(ref VBuffer<float> destination)
    {
        EnsureOnRow();
        var editor = VBufferEditor.Create(ref destination, _labelSteps);
        for (int j = 0; j < _labelSteps; j++)
        {
            editor.Values[j] = LabelValue(j);
        }

        destination = editor.Commit();
    }

    private void GetReference(ref float destination)
    {
        EnsureOnRow();
        destination = (float)_targets[Slot(ReferenceRow(CurrentStart, CurrentLast))];
    }

    private void CheckColumn(DataViewSchema.Column column)
    {
        var schema = _binding.OutputSchema;
        if (column.Index < 0 || column.Index >= schema.Count || schema[column.Index].Name != column.Name)
        {
            throw new ArgumentException($"Column '{column.Name}' (index {column.Index}) is not a column of this window view.", nameof(column));
        }
    }
}
