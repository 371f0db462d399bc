using MathNet.Numerics.Distributions;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

/// <summary>
/// Turns a distribution head's raw outputs for one output step (<c>[μ × outputs, raw scale × outputs, (raw ν × outputs)]</c>,
/// in the standardised label's units when training standardised it) into the columns in the label's units: the mean,
/// the standard deviation and the confidence level central interval, with the scale multiplied by the
/// calibration factor. The quantiles come from MathNet.Numerics (<see cref="Normal.InvCDF"/>, <see cref="StudentT.InvCDF"/>).
/// </summary>
internal sealed class RnnPredictiveDistribution
{
    private readonly RnnDistribution _distribution;
    private readonly RnnLabelStandardization? _labels;
    private readonly double _upperProbability;
    private readonly double _normalQuantile;
    private readonly double _factor;

    /// <param name="distribution">Normal or Student-t.</param>
    /// <param name="confidenceLevel">The central interval's probability, in (0, 1).</param>
    /// <param name="calibrationFactor">What multiplies the predicted scale (1: uncalibrated).</param>
    /// <param name="labels">The label's statistics when training standardised it, or null.</param>
    public RnnPredictiveDistribution(RnnDistribution distribution, float confidenceLevel, float calibrationFactor, RnnLabelStandardization? labels)
    {
        _distribution = distribution;
        _labels = labels;
        _upperProbability = (1 + (double)confidenceLevel) / 2;
        _normalQuantile = Normal.InvCDF(0, 1, _upperProbability);
        _factor = calibrationFactor;
    }

    /// <summary>
    /// Writes output <paramref name="j"/> of a step's raw values <paramref name="raw"/> (<paramref name="outputs"/> per
    /// parameter) as mean, standard deviation and bounds. Returns false when the predicted scale is not a positive finite
    /// number (a NaN or infinite output): the standard deviation and bounds are then NaN, never a silent interval.
    /// </summary>
    public bool Write(ReadOnlySpan<float> raw, int outputs, int j, out float mean, out float standardDeviation, out float lower, out float upper)
    {
        double mu = raw[j];
        double scale = DistributionParameters.Scale(raw[outputs + j]);
        double nu = _distribution == RnnDistribution.StudentT ? DistributionParameters.DegreesOfFreedom(raw[2 * outputs + j]) : double.PositiveInfinity;
        if (_labels is not null)
        {
            double deviation = _labels.StandardDeviation[j % _labels.Outputs];
            mu = mu * deviation + _labels.Mean[j % _labels.Outputs];
            scale *= deviation;
        }

        mean = (float)mu;
        scale *= _factor;
        if (!(scale > 0 && double.IsFinite(scale)) || double.IsNaN(nu) || double.IsNaN(mu))
        {
            standardDeviation = lower = upper = float.NaN;
            return false;
        }

        double halfWidth = scale * Quantile(nu);
        standardDeviation = (float)(_distribution == RnnDistribution.StudentT ? scale * Math.Sqrt(nu / (nu - 2)) : scale);
        lower = (float)(mu - halfWidth);
        upper = (float)(mu + halfWidth);
        if (float.IsFinite(standardDeviation) && float.IsFinite(lower) && float.IsFinite(upper))
            return true;
        // A scale beyond float's range: an infinite interval would look like an answer.
        standardDeviation = lower = upper = float.NaN;
        return false;
    }

    /// <summary>
    /// The split-conformal score of a target: |y − μ| over the uncalibrated interval's half-width, in the label's units
    /// (the ratio has none). The interval covers y exactly when the score is at most 1; a factor f widens it to f.
    /// NaN when the prediction is not usable.
    /// </summary>
    public double ConformalScore(ReadOnlySpan<float> raw, int outputs, int j, float target)
    {
        double mu = raw[j];
        double scale = DistributionParameters.Scale(raw[outputs + j]);
        double nu = _distribution == RnnDistribution.StudentT ? DistributionParameters.DegreesOfFreedom(raw[2 * outputs + j]) : double.PositiveInfinity;
        if (_labels is not null)
        {
            double deviation = _labels.StandardDeviation[j % _labels.Outputs];
            mu = mu * deviation + _labels.Mean[j % _labels.Outputs];
            scale *= deviation;
        }

        double halfWidth = scale * Quantile(nu);
        return halfWidth > 0 && double.IsFinite(halfWidth) ? Math.Abs(target - mu) / halfWidth : double.NaN;
    }

    /// <summary>The upper quantile of the standard distribution (Normal, or Student-t with ν degrees of freedom).</summary>
    private double Quantile(double nu) => _distribution == RnnDistribution.StudentT ? StudentT.InvCDF(0, 1, nu, _upperProbability) : _normalQuantile;
}
