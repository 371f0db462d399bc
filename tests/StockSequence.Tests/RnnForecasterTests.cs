using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;
using StockSequence.Data;
using StockSequence.Forecasting;

namespace StockSequence.Tests;

/// <summary>The sample's RNN forecaster and the forecaster over its saved model, on generated series.</summary>
[TestClass]
public sealed class RnnForecasterTests
{
    private const int Window = 20;

    [TestMethod]
    public void LearnsTheMomentumOfAStronglyAutocorrelatedSeries()
    {
        // Log returns follow an AR(1) with phi 0.5: the ideal one-step forecast removes about phi² = 25% of the squared error
        // of persistence. A network that learned nothing scores about 0 (or less).
        var ml = new MLContext(1);
        var (training, holdOut) = Split(ml, Series(days: 3000, phi: 0.5, seed: 11), holdOutFraction: 0.2);
        var rnn = new RnnForecaster(ml, Options(RnnCellType.Gru, hidden: 16, epochs: 8), validationFraction: 0.1);

        rnn.Fit(training);
        float[] predicted = rnn.Predict(holdOut);
        float[] labels = holdOut.GetColumn<float>("Label").ToArray();

        // Relative to the window's last value, persistence forecasts 0: its squared error is the label squared.
        double mse = predicted.Zip(labels, (p, y) => (double)(p - y) * (p - y)).Average();
        double persistenceMse = labels.Average(y => (double)y * y);
        double skill = 1 - mse / persistenceMse;
        Assert.IsGreaterThan(0.15, skill, $"skill vs persistence {skill:P1}; about 25% is possible");
        Assert.IsLessThan(0.4, skill, $"skill vs persistence {skill:P1}: far above what the series allows, as if the label leaked in");
        Assert.AreEqual(3000 - Window, rnn.TrainingRows + rnn.ValidationRows + labels.Length, "3000 days - 20 window - 1 horizon + 1, each used once");
    }

    [TestMethod]
    public void SplitsOffTheLatestTrainingWindowsForValidation()
    {
        var ml = new MLContext(1);
        var (training, _) = Split(ml, Series(days: 400, phi: 0.2, seed: 3), holdOutFraction: 0.1);
        long count = training.GetColumn<float>("Label").LongCount();
        var reports = new List<RnnEpochReport>();
        var options = Options(RnnCellType.Rnn, hidden: 4, epochs: 2);
        options.OnEpochEnd = reports.Add;

        var rnn = new RnnForecaster(ml, options, validationFraction: 0.25);
        rnn.Fit(training);

        Assert.AreEqual((long)Math.Round(count * 0.25), rnn.ValidationRows);
        double rms = Math.Sqrt(training.GetColumn<float>("Label").Average(y => (double)y * y));
        Assert.AreEqual(1 / rms, rnn.FeatureScale, 1e-4 / rms, "features are scaled by one over the labels' root mean square");
        Assert.AreEqual(count - rnn.ValidationRows, rnn.TrainingRows);
        Assert.HasCount(2, reports);
        Assert.IsTrue(reports.All(r => r.ValidationLoss is not null), "a validation set was given to the trainer");

        var without = new RnnForecaster(ml, Options(RnnCellType.Rnn, hidden: 4, epochs: 1), validationFraction: 0);
        without.Fit(training);
        Assert.AreEqual(0, without.ValidationRows);
        Assert.IsNull(without.Network!.TrainingHistory.Single().ValidationLoss);
    }

    [TestMethod]
    public void PredictingBeforeFittingOrWithABadFractionFails()
    {
        var ml = new MLContext(1);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RnnForecaster(ml, new RnnTrainer.Options(), 0.6));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RnnForecaster(ml, new RnnTrainer.Options(), -0.1));
        var (training, _) = Split(ml, Series(days: 200, phi: 0.2, seed: 3), holdOutFraction: 0.1);
        Assert.ThrowsExactly<InvalidOperationException>(() => new RnnForecaster(ml, new RnnTrainer.Options(), 0.1).Predict(training));
    }

    [TestMethod]
    public void SavedModelChainsOneStepForecastsAndAgreesWithTheWindowView()
    {
        var ml = new MLContext(2);
        IReadOnlyList<DailyPrice> rows = Series(days: 300, phi: 0.3, seed: 5);
        var (training, _) = Split(ml, rows, holdOutFraction: 0.1);
        var rnn = new RnnForecaster(ml, Options(RnnCellType.Lstm, hidden: 8, epochs: 2), validationFraction: 0);
        rnn.Fit(training);
        string path = Path.Combine(Path.GetTempPath(), $"rnn-forecaster-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(rnn.Model, training.Schema, path);
            using var saved = new SavedModelForecaster(path, Window, SequenceWindowNormalization.RelativeToLast);
            double[] prices = rows.Select(r => r.Close).ToArray();

            double[] days = saved.ForecastDays(prices, 3);

            // Day 1 is what the in-memory model says for the window view's last window (normalised by the package).
            var tail = ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(rows), WindowOptions(includeTail: true));
            IDataView lastWindow = ml.Data.SkipRows(tail, tail.CountWindows().WindowsProduced - 1);
            float reference = lastWindow.GetColumn<float>(SequenceWindowOptions.DefaultReferenceColumnName).Single();
            double expected = SequenceWindowNormalizer.Denormalize(rnn.Predict(lastWindow).Single(), reference);
            Assert.AreEqual(expected, days[0], expected * 1e-6);

            // Each later day is the one-step forecast from the series with the earlier forecasts appended.
            Assert.AreEqual(saved.ForecastDays([.. prices, days[0]], 1)[0], days[1], 1e-9);
            Assert.AreEqual(saved.ForecastDays([.. prices, days[0], days[1]], 1)[0], days[2], 1e-9);

            Assert.ThrowsExactly<ArgumentException>(() => saved.ForecastDays(prices[..(Window - 1)], 1));
            Assert.ThrowsExactly<ArgumentException>(() => saved.ForecastDays([.. prices, double.NaN], 1));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => saved.ForecastDays(prices, 0));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static IReadOnlyList<DailyPrice> Series(int days, double phi, int seed) =>
        SyntheticPriceSeries.Generate(new SyntheticPriceParameters { Days = days, Seed = seed, ArCoefficient = phi });

    private static SequenceWindowOptions WindowOptions(bool includeTail = false) => new()
    {
        InputColumns = [nameof(DailyPrice.Close)],
        WindowLength = Window,
        Normalization = SequenceWindowNormalization.RelativeToLast,
        IncludeUnlabeledTail = includeTail,
    };

    /// <summary>Windows over the series, the last <paramref name="holdOutFraction"/> of them held out (no gap: horizon 1).</summary>
    private static (IDataView Training, IDataView HoldOut) Split(MLContext ml, IReadOnlyList<DailyPrice> rows, double holdOutFraction)
    {
        var windows = ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(rows), WindowOptions());
        long total = windows.CountWindows().WindowsProduced;
        long holdOut = (long)Math.Round(total * holdOutFraction);
        return (ml.Data.TakeRows(windows, total - holdOut), ml.Data.SkipRows(windows, total - holdOut));
    }

    private static RnnTrainer.Options Options(RnnCellType cell, int hidden, int epochs) => new()
    {
        Cell = cell,
        HiddenSize = hidden,
        MaxEpochs = epochs,
        NumberOfThreads = 1,
    };
}
