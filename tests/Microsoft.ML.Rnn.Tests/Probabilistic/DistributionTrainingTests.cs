using MathNet.Numerics.Distributions;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Core;
using Microsoft.ML.Rnn.Tests.MlNet;

namespace Microsoft.ML.Rnn.Tests.Probabilistic;

/// <summary>
/// <see cref="RnnTrainer.Options.Distribution"/> end to end: intervals that cover what they claim on a process with a known
/// conditional distribution, the split-conformal factor, the columns' arithmetic against MathNet, label standardisation,
/// every head, the model file and the errors.
/// </summary>
[TestClass]
public sealed class DistributionTrainingTests
{
    private static (KnownProcess.Row[] Train, KnownProcess.Row[] Validation, KnownProcess.Row[] Test) Splits(bool studentT) =>
        (KnownProcess.Rows(3000, 1, studentT), KnownProcess.Rows(1000, 2, studentT), KnownProcess.Rows(6000, 3, studentT));

    private static double Coverage(IDataView scored)
    {
        float[] label = KnownProcess.Column(scored, "Label"), lower = KnownProcess.Column(scored, "LowerBound"), upper = KnownProcess.Column(scored, "UpperBound");
        return Enumerable.Range(0, label.Length).Count(i => lower[i] <= label[i] && label[i] <= upper[i]) / (double)label.Length;
    }

    [TestMethod]
    public void NormalIntervalsCoverTheirLevelOnAKnownNormalProcess()
    {
        var ml = new MLContext(1);
        var (train, validation, test) = Splits(studentT: false);
        IDataView validationView = ml.Data.LoadFromEnumerable(validation), testView = ml.Data.LoadFromEnumerable(test);
        foreach (float level in new[] { 0.90f, 0.95f })
        {
            RnnTransformer model = ml.Regression.Trainers.Rnn(KnownProcess.Options(RnnDistribution.Normal, validationView, level)).Fit(ml.Data.LoadFromEnumerable(train));
            IDataView scored = model.Transform(testView);
            IntervalForecastMetrics metrics = ml.Regression.EvaluateIntervals(scored, level);
            double trueNll = KnownProcess.TrueNegativeLogLikelihood(test, studentT: false);
            Console.WriteLine($"Normal {level:P0}: hold-out coverage {metrics.Coverage:P2}, width {metrics.MeanIntervalWidth:F3}, NLL {metrics.MeanNegativeLogLikelihood:F4} " +
                $"(true {trueNll:F4}), CRPS {metrics.ContinuousRankedProbabilityScore:F4}, factor {model.IntervalCalibrationFactor}");
            Assert.AreEqual(test.Length, metrics.Count);
            Assert.AreEqual(level, metrics.Coverage, 0.02, $"hold-out coverage at {level}");
            Assert.AreEqual(trueNll, metrics.MeanNegativeLogLikelihood, 0.05, "mean NLL against the true conditional density's");
            Assert.IsNotNull(model.IntervalCalibrationFactor);
            // The score is still an ordinary regression score.
            RegressionMetrics point = ml.Regression.Evaluate(scored);
            Assert.IsGreaterThan(0.2, point.RSquared);
        }
    }

    [TestMethod]
    public void StudentTCoversHeavyTailsWhereTheNormalUnderCoversThem()
    {
        var ml = new MLContext(1);
        var (train, _, test) = Splits(studentT: true);
        IDataView trainView = ml.Data.LoadFromEnumerable(train), testView = ml.Data.LoadFromEnumerable(test);
        // Uncalibrated, so the comparison is of what each likelihood learned: the tails at 99%.
        var coverage = new Dictionary<RnnDistribution, double>();
        var nll = new Dictionary<RnnDistribution, double>();
        foreach (RnnDistribution distribution in new[] { RnnDistribution.Normal, RnnDistribution.StudentT })
        {
            RnnTrainer.Options options = KnownProcess.Options(distribution, validation: null, level: 0.99f);
            RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(trainView);
            Assert.IsNull(model.IntervalCalibrationFactor);
            IDataView scored = model.Transform(testView);
            coverage[distribution] = Coverage(scored);
            // The Student-t's own likelihood, from its raw outputs (the evaluator's NLL is the Normal's).
            nll[distribution] = distribution == RnnDistribution.StudentT ? StudentTNll(model, test) : ml.Regression.EvaluateIntervals(scored, 0.99f).MeanNegativeLogLikelihood;
        }

        double trueNll = KnownProcess.TrueNegativeLogLikelihood(test, studentT: true);
        Console.WriteLine($"t(4) noise, 99% intervals: Normal covers {coverage[RnnDistribution.Normal]:P2} (NLL {nll[RnnDistribution.Normal]:F4}), " +
            $"Student-t covers {coverage[RnnDistribution.StudentT]:P2} (NLL {nll[RnnDistribution.StudentT]:F4}); true NLL {trueNll:F4}");
        Assert.AreEqual(0.99, coverage[RnnDistribution.StudentT], 0.01, "Student-t 99% coverage");
        Assert.IsLessThan(coverage[RnnDistribution.StudentT] - 0.005, coverage[RnnDistribution.Normal], "the Normal under-covers the tails");
        Assert.IsLessThan(nll[RnnDistribution.Normal], nll[RnnDistribution.StudentT], "the Student-t fits t noise better");
        Assert.AreEqual(trueNll, nll[RnnDistribution.StudentT], 0.05, "Student-t NLL against the true density's");
    }

    private static string Annotation(DataViewSchema.Column column, string kind)
    {
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(kind, ref value);
        return value.ToString();
    }

    private static double StudentTNll(RnnTransformer model, KnownProcess.Row[] rows)
    {
        RnnNetwork network = model.Network;
        RnnLabelStandardization labels = model.Model.LabelStandardization!;
        var raw = new float[3];
        double sum = 0;
        foreach (KnownProcess.Row row in rows)
        {
            network.Predict(row.Features, raw);
            double mu = raw[0] * labels.StandardDeviation[0] + labels.Mean[0];
            double scale = DistributionParameters.Scale(raw[1]) * labels.StandardDeviation[0];
            sum -= StudentT.PDFLn(mu, scale, DistributionParameters.DegreesOfFreedom(raw[2]), row.Label);
        }

        return sum / rows.Length;
    }

    [TestMethod]
    public void TheConformalFactorMovesValidationCoverageToTheLevel()
    {
        var ml = new MLContext(1);
        // Deliberately mis-specified: t noise under a Normal likelihood, briefly trained, so the raw intervals are off.
        var (train, validation, _) = Splits(studentT: true);
        IDataView validationView = ml.Data.LoadFromEnumerable(validation);
        RnnTrainer.Options options = KnownProcess.Options(RnnDistribution.Normal, validationView, 0.8f);
        options.MaxEpochs = 3;
        RnnTransformer calibrated = ml.Regression.Trainers.Rnn(options).Fit(ml.Data.LoadFromEnumerable(train));
        options.CalibrateIntervals = false;
        RnnTransformer raw = ml.Regression.Trainers.Rnn(options).Fit(ml.Data.LoadFromEnumerable(train));
        Assert.IsNull(raw.IntervalCalibrationFactor);
        float factor = calibrated.IntervalCalibrationFactor!.Value;

        int n = validation.Length;
        double rawCoverage = Coverage(raw.Transform(validationView)), coverage = Coverage(calibrated.Transform(validationView));
        Console.WriteLine($"validation coverage at 80%: {rawCoverage:P2} uncalibrated, {coverage:P2} with factor {factor:G6}");
        Assert.AreNotEqual(1f, factor);
        // Split conformal: exactly ⌈(n + 1)·c⌉ of the n validation targets inside (no ties with continuous data), up to float
        // rounding of the bounds at the one target that sets the factor.
        int expected = (int)Math.Ceiling((n + 1) * 0.8);
        Assert.AreEqual(expected / (double)n, coverage, 1.5 / n);
        Assert.IsGreaterThan(0.01, Math.Abs(rawCoverage - 0.8), "the uncalibrated intervals were off");

        // The factor scales the scale: the standard deviation by exactly the factor, the interval about the mean too.
        float[] s0 = KnownProcess.Column(raw.Transform(validationView), "StandardDeviation"), s1 = KnownProcess.Column(calibrated.Transform(validationView), "StandardDeviation");
        for (int i = 0; i < 20; i++)
            Assert.AreEqual(s0[i] * factor, s1[i], 1e-5 * s1[i]);
    }

    [TestMethod]
    public void ColumnsAreTheDistributionsMomentsAndQuantilesFromMathNet()
    {
        var ml = new MLContext(1);
        KnownProcess.Row[] rows = KnownProcess.Rows(400, 4, studentT: true, unit: 50);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        foreach (RnnDistribution distribution in new[] { RnnDistribution.Normal, RnnDistribution.StudentT })
        {
            RnnTrainer.Options options = KnownProcess.Options(distribution, data, 0.9f);
            options.MaxEpochs = 2;
            RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
            IDataView scored = model.Transform(data);
            foreach (string name in new[] { "Score", "StandardDeviation", "LowerBound", "UpperBound" })
            {
                Assert.AreEqual(NumberDataViewType.Single, scored.Schema[name].Type, name);
                Assert.AreEqual("Regression", Annotation(scored.Schema[name], "ScoreColumnKind"), name);
            }
            Assert.AreEqual("LowerBound", Annotation(scored.Schema["LowerBound"], "ScoreValueKind"));

            float[] score = KnownProcess.Column(scored, "Score"), sd = KnownProcess.Column(scored, "StandardDeviation"),
                lower = KnownProcess.Column(scored, "LowerBound"), upper = KnownProcess.Column(scored, "UpperBound");
            RnnLabelStandardization labels = model.Model.LabelStandardization!;
            double factor = model.IntervalCalibrationFactor!.Value;
            var raw = new float[model.Network.Shape.OutputWidth];
            for (int i = 0; i < 50; i++)
            {
                model.Network.Predict(rows[i].Features, raw);
                double mu = raw[0] * labels.StandardDeviation[0] + labels.Mean[0];
                double scale = DistributionParameters.Scale(raw[1]) * labels.StandardDeviation[0] * factor;
                double expectedLower, expectedSd;
                if (distribution == RnnDistribution.Normal)
                {
                    expectedLower = Normal.InvCDF(mu, scale, 0.05);
                    expectedSd = scale;
                }
                else
                {
                    double nu = 2 + Math.Log(1 + Math.Exp(raw[2]));
                    expectedLower = StudentT.InvCDF(mu, scale, nu, 0.05);
                    expectedSd = new StudentT(mu, scale, nu).StdDev;
                }

                Assert.AreEqual(mu, score[i], 1e-4 * Math.Abs(mu) + 1e-4, "mean");
                Assert.AreEqual(expectedSd, sd[i], 1e-4 * expectedSd, "standard deviation");
                Assert.AreEqual(expectedLower, lower[i], 1e-4 * Math.Abs(expectedLower) + 1e-3, "lower bound");
                Assert.AreEqual(2 * mu - expectedLower, upper[i], 1e-4 * Math.Abs(expectedLower) + 1e-3, "upper bound (symmetric)");
            }
        }
    }

    [TestMethod]
    public void StandardDeviationScalesWithTheLabelsUnit()
    {
        var ml = new MLContext(1);
        KnownProcess.Row[] unit = KnownProcess.Rows(300, 5, studentT: false), scaled = KnownProcess.Rows(300, 5, studentT: false, unit: 1000);
        foreach (var row in scaled)
            row.Label += 500;
        RnnTrainer.Options options = KnownProcess.Options(RnnDistribution.StudentT, validation: null);
        options.MaxEpochs = 3;
        IDataView a = ml.Data.LoadFromEnumerable(unit), b = ml.Data.LoadFromEnumerable(scaled);
        IDataView sa = ml.Regression.Trainers.Rnn(options).Fit(a).Transform(a), sb = ml.Regression.Trainers.Rnn(options).Fit(b).Transform(b);
        float[] scoreA = KnownProcess.Column(sa, "Score"), scoreB = KnownProcess.Column(sb, "Score");
        float[] sdA = KnownProcess.Column(sa, "StandardDeviation"), sdB = KnownProcess.Column(sb, "StandardDeviation");
        float[] lowA = KnownProcess.Column(sa, "LowerBound"), lowB = KnownProcess.Column(sb, "LowerBound");
        for (int i = 0; i < scoreA.Length; i++)
        {
            // The standardised targets agree to float rounding, so the networks do too: σ in label units is 1000× as large.
            Assert.AreEqual(1000.0 * sdA[i], sdB[i], 2e-2 * sdB[i], $"row {i} standard deviation");
            Assert.AreEqual(1000.0 * scoreA[i] + 500, scoreB[i], 2e-2 * sdB[i], $"row {i} mean");
            Assert.AreEqual(1000.0 * lowA[i] + 500, lowB[i], 2e-2 * sdB[i], $"row {i} lower bound");
        }
    }

    public static IEnumerable<object[]> Heads() =>
        new[] { RnnHead.ManyToOne, RnnHead.ManyToMany, RnnHead.OneToMany, RnnHead.EncoderDecoder }
            .SelectMany(h => new[] { RnnDistribution.Normal, RnnDistribution.StudentT }.Select(d => new object[] { h, d }));

    [TestMethod]
    [DynamicData(nameof(Heads))]
    public void EveryHeadWritesIntervalColumnsShapedAsScoreAndRoundTrips(RnnHead head, RnnDistribution distribution)
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, head, rows: 32);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, head, epochs: 3);
        options.Distribution = distribution;
        options.ValidationSet = data;
        options.FeedPreviousOutput = TestData.HasDecoder(head);
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
        IDataView scored = model.Transform(data);
        DataViewType scoreType = scored.Schema["Score"].Type;
        foreach (string name in new[] { "StandardDeviation", "LowerBound", "UpperBound" })
            Assert.AreEqual(scoreType, scored.Schema[name].Type, name);
        SchemaShape shape = ml.Regression.Trainers.Rnn(options).GetOutputSchema(SchemaPropagationTests.ShapeOf(data.Schema));
        Assert.IsTrue(shape.Any(c => c.Name == "UpperBound" && c.ItemType == NumberDataViewType.Single));

        // Lower ≤ mean ≤ upper, σ > 0, everywhere.
        List<string> rows = TestData.OutputBits(scored, "Score", "StandardDeviation", "LowerBound", "UpperBound");
        bool vector = scoreType is VectorDataViewType;
        float[][] Values(string name) => vector ? scored.GetColumn<float[]>(name).ToArray() : scored.GetColumn<float>(name).Select(v => new[] { v }).ToArray();
        float[][] lower = Values("LowerBound"), upper = Values("UpperBound"), mean = Values("Score");
        Assert.AreEqual(32, mean.Length);
        for (int r = 0; r < mean.Length; r++)
                for (int i = 0; i < mean[r].Length; i++)
                    Assert.IsTrue(lower[r][i] < mean[r][i] && mean[r][i] < upper[r][i], $"row {r} value {i}");

        string path = Path.Combine(Path.GetTempPath(), $"rnn-distribution-{head}-{distribution}-{Environment.ProcessId}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = (RnnTransformer)ml.Model.Load(path, out _);
            Assert.AreEqual(distribution, loaded.Options.Distribution);
            Assert.AreEqual(distribution, loaded.Network.Shape.Distribution);
            Assert.AreEqual(0.95f, loaded.Options.ConfidenceLevel);
            Assert.AreEqual(model.IntervalCalibrationFactor, loaded.IntervalCalibrationFactor);
            CollectionAssert.AreEqual(rows, TestData.OutputBits(loaded.Transform(data), "Score", "StandardDeviation", "LowerBound", "UpperBound"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ADistributionForClassificationIsRefused()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options();
        options.Distribution = RnnDistribution.Normal;
        IDataView data = TestData.Data(ml, RnnTask.BinaryClassification, RnnHead.ManyToOne);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Rnn(options).Fit(data));
        StringAssert.StartsWith(e.Message, "Option 'Distribution' is Normal for BinaryClassification; expected None");
        var e2 = Assert.Throws<Exception>(() => TestData.Pipeline(ml, RnnTask.MulticlassClassification, options)
            .Fit(TestData.Data(ml, RnnTask.MulticlassClassification, RnnHead.ManyToOne)));
        StringAssert.Contains(e2.GetBaseException().Message, "Option 'Distribution' is Normal for MulticlassClassification; expected None");
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(1f)]
    [DataRow(-0.5f)]
    [DataRow(float.NaN)]
    public void AConfidenceLevelOutsideTheOpenUnitIntervalIsRefused(float level)
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options();
        options.Distribution = RnnDistribution.StudentT;
        options.ConfidenceLevel = level;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Rnn(options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne)));
        StringAssert.StartsWith(e.Message, $"Option 'ConfidenceLevel' is {level}; expected a probability strictly between 0 and 1");
    }

    [TestMethod]
    public void AnUnusableScaleGivesNaNBoundsNotASilentInterval()
    {
        var ml = new MLContext(1);
        IDataView data = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 16);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, epochs: 0);
        options.Distribution = RnnDistribution.Normal;
        RnnTransformer model = ml.Regression.Trainers.Rnn(options).Fit(data);
        // Imported parameters whose raw σ overflows to +∞ for every row: σ is not finite, so no interval is written.
        var parameters = model.Network.ExportParameters().ToDictionary(p => p.Key, p => p.Value.ToArray());
        parameters["head.bias"][1] = float.MaxValue;
        options.InitialParameters = parameters;
        options.StandardizeLabel = true;
        RnnTransformer broken = ml.Regression.Trainers.Rnn(options).Fit(data);
        IDataView scored = broken.Transform(data);
        float[] score = scored.GetColumn<float>("Score").ToArray(), lower = scored.GetColumn<float>("LowerBound").ToArray(), sd = scored.GetColumn<float>("StandardDeviation").ToArray();
        Assert.IsTrue(score.All(float.IsFinite), "the mean is still written");
        Assert.IsTrue(lower.All(float.IsNaN) && sd.All(float.IsNaN), "no silent interval");
        IntervalForecastMetrics metrics = ml.Regression.EvaluateIntervals(scored);
        Assert.AreEqual(16, metrics.NaNPredictionCount);
        Assert.AreEqual(0, metrics.Count);
    }
}
