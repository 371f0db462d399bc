using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Rnn.Tests.Demonstrations;

/// <summary>
/// N vs M through the public ML.NET API: an LSTM encoder–decoder with attention learns to write numbers given in
/// English words as their six digits, and gets at least 99% of numbers it never saw exactly right (every digit).
/// </summary>
[TestClass]
public sealed class SequenceToSequenceDemonstrationTests
{
    public TestContext TestContext { get; set; } = null!;

    private sealed class NumberRow
    {
        /// <summary>The words one-hot: a variable number of steps of <c>Vocabulary.Count</c> values.</summary>
        public float[] Features { get; set; } = [];

        [VectorType(NumbersInWords.Digits)]
        public string[] Label { get; set; } = [];

        public int Number { get; set; }
    }

    private sealed class DigitsPrediction
    {
        [VectorType(NumbersInWords.Digits)]
        public string[] PredictedDigits { get; set; } = [];
    }

    [TestMethod]
    public void EncoderDecoderWritesUnseenNumbersInDigits()
    {
        var random = new Random(1);
        int[] numbers = Enumerable.Range(0, 1_000_000).OrderBy(_ => random.Next()).Take(5000).ToArray();
        NumberRow Row(int number) => new() { Features = NumbersInWords.Encode(NumbersInWords.Words(number)), Label = NumbersInWords.DigitsOf(number), Number = number };

        var ml = new MLContext(seed: 1);
        IDataView training = ml.Data.LoadFromEnumerable(numbers[..4000].Select(Row));
        IDataView heldOut = ml.Data.LoadFromEnumerable(numbers[4000..].Select(Row));
        var options = new RnnTrainer.Options
        {
            InputSize = NumbersInWords.Vocabulary.Count,
            Cell = RnnCellType.Lstm,
            HiddenSize = 64,
            Head = RnnHead.EncoderDecoder,
            OutputLength = NumbersInWords.Digits,
            Context = RnnContext.Attention,
            DecoderInput = RnnDecoderInput.EveryStep,
            BatchSize = 32,
            LearningRate = 0.01f,
            MaxEpochs = 15,
            Seed = 1,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.Rnn(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigits", "PredictedLabel"));

        var clock = Stopwatch.StartNew();
        ITransformer model = pipeline.Fit(training);
        TimeSpan trainingTime = clock.Elapsed;

        var predictions = ml.Data.CreateEnumerable<DigitsPrediction>(model.Transform(heldOut), reuseRowObject: false).ToArray();
        int exact = predictions.Zip(numbers[4000..], (p, n) => p.PredictedDigits.SequenceEqual(NumbersInWords.DigitsOf(n))).Count(e => e);
        double accuracy = exact / (double)predictions.Length;
        TestContext.WriteLine($"{exact} of {predictions.Length} held-out numbers exactly right ({accuracy:P1}); trained in {trainingTime.TotalSeconds:F1} s");
        Assert.HasCount(1000, predictions);
        Assert.IsGreaterThanOrEqualTo(0.99, accuracy, $"{exact} of 1000 held-out numbers exactly right");
    }

    [TestMethod]
    public void NumbersAreWrittenInWordsAsEnglishDoes()
    {
        Assert.AreEqual("zero", string.Join(' ', NumbersInWords.Words(0)));
        Assert.AreEqual("three hundred forty two thousand seven", string.Join(' ', NumbersInWords.Words(342_007)));
        Assert.AreEqual("two thousand five", string.Join(' ', NumbersInWords.Words(2005)));
        Assert.AreEqual("nineteen thousand one hundred", string.Join(' ', NumbersInWords.Words(19_100)));
        Assert.AreEqual(NumbersInWords.MostWords, Enumerable.Range(0, 1_000_000).Max(n => NumbersInWords.Words(n).Count));
        CollectionAssert.AreEqual(new[] { "0", "0", "2", "0", "0", "5" }, NumbersInWords.DigitsOf(2005));
    }
}
