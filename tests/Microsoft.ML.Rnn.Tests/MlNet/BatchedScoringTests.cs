using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// <c>Transform</c> scores rows in blocks read ahead (<c>RnnTransformer.LookAheadScores</c>); every output bit must be what
/// the row-by-row path (the row mapper a prediction engine uses) and <see cref="Core.RnnNetwork.Predict(ReadOnlySpan{float}, Span{float})"/>
/// give each row alone, across block boundaries (650 rows; a block holds at most 256), with mixed lengths and rows that
/// cannot be scored in between.
/// </summary>
[TestClass]
public sealed class BatchedScoringTests
{
    private const int Rows = 650;

    public sealed class Row
    {
        public float Id { get; set; }
        public float[] Features { get; set; } = [];
    }

    private sealed class TrainRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class TrainVectorRow
    {
        public float[] Features { get; set; } = [];
        public float[] Label { get; set; } = [];
    }

    private sealed class TrainBinaryVectorRow
    {
        public float[] Features { get; set; } = [];
        public bool[] Label { get; set; } = [];
    }

    private sealed class ScoreOutput
    {
        public float Score { get; set; }
    }

    /// <summary>Mixed lengths (1 to 12 steps), with an empty row every 97 and a length that fits no step every 89.</summary>
    private static Row[] MixedRows(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Rows).Select(i => new Row
        {
            Id = i,
            Features = i % 97 == 5 ? []
                : i % 89 == 7 ? [0.5f, -0.25f, 1f]
                : TestData.Sequences(1, seed + i, length: TestData.InputSize * random.Next(1, 13))[0],
        }).ToArray();
    }

    private static float[][] Ragged(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(i => TestData.Sequences(1, seed + i, length: TestData.InputSize * random.Next(1, 7))[0]).ToArray();
    }

    private static string[] OutputColumns(DataViewSchema schema) =>
        new[] { "Score", "Probability", "PredictedLabel", "StandardDeviation", "LowerBound", "UpperBound" }
            .Where(n => schema.GetColumnOrNull(n) is not null).ToArray();

    /// <summary>The row-by-row reference: the transformer's row mapper over each input row, as a prediction engine runs it.</summary>
    private static List<string> RowByRowBits(ITransformer model, IDataView data, string[] columns)
    {
        IRowToRowMapper mapper = model.GetRowToRowMapper(data.Schema);
        using DataViewRowCursor cursor = data.GetRowCursor(data.Schema);
        using DataViewRow row = mapper.GetRow(cursor, columns.Select(n => mapper.OutputSchema[n]));
        Func<string>[] getters = columns.Select(n => TestData.MakeBitsGetter(row, mapper.OutputSchema[n])).ToArray();
        var rows = new List<string>();
        while (cursor.MoveNext())
            rows.Add(string.Join(" | ", getters.Select(g => g())));
        return rows;
    }

    /// <summary>Transform's outputs against the row-by-row path, and the Id column against each row's own.</summary>
    private static void AssertBatchedScoresEqualRowByRow(ITransformer model, IDataView data, float[] expectedIds)
    {
        IDataView scored = model.Transform(data);
        string[] columns = OutputColumns(scored.Schema);
        List<string> batched = TestData.OutputBits(scored, columns);
        CollectionAssert.AreEqual(RowByRowBits(model, data, columns), batched);
        CollectionAssert.AreEqual(expectedIds, scored.GetColumn<float>("Id").ToArray());
        Assert.IsTrue(batched.Any(r => r.Contains("7FC00000") || r.Contains("FFC00000")), "the data holds rows that score NaN");
    }

    [TestMethod]
    public void ManyToOneLstmRegressionEqualsPredictionEngineAndNetworkPredict()
    {
        var ml = new MLContext(1);
        float[][] x = Ragged(40, 11);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, epochs: 1);
        options.StandardizeLabel = false; // Score is then the network's output, compared with Predict
        options.HiddenSize = 16;
        ITransformer model = ml.Regression.Trainers.Rnn(options)
            .Fit(ml.Data.LoadFromEnumerable(x.Select(s => new TrainRow { Features = s, Label = TestData.RunningSums(s)[^1] })));
        Row[] rows = MixedRows(3);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        AssertBatchedScoresEqualRowByRow(model, data, rows.Select(r => r.Id).ToArray());

        float[] scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        var network = ((RnnTransformer)model).Network;
        var engine = ml.Model.CreatePredictionEngine<Row, ScoreOutput>(model);
        for (int i = 0; i < rows.Length; i++)
        {
            float engineScore = engine.Predict(rows[i]).Score;
            Assert.AreEqual(BitConverter.SingleToInt32Bits(engineScore), BitConverter.SingleToInt32Bits(scores[i]), $"row {i}");
            if (rows[i].Features.Length == 0 || rows[i].Features.Length % TestData.InputSize != 0)
                continue;
            var alone = new float[1];
            network.Predict(rows[i].Features, alone);
            Assert.AreEqual(BitConverter.SingleToInt32Bits(alone[0]), BitConverter.SingleToInt32Bits(scores[i]), $"row {i}");
        }
    }

    [TestMethod]
    public void ManyToManyGruOfTwoLayersEqualsNetworkPredict()
    {
        var ml = new MLContext(1);
        float[][] x = Ragged(40, 5);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, RnnHead.ManyToMany, epochs: 1);
        options.NumberOfLayers = 2;
        options.HiddenSize = 8; // the second layer's projection has a depth of 8: the dot form's lane sums
        options.StandardizeLabel = false;
        ITransformer model = ml.Regression.Trainers.Rnn(options)
            .Fit(ml.Data.LoadFromEnumerable(x.Select(s => new TrainVectorRow { Features = s, Label = TestData.RunningSums(s) })));
        Row[] rows = MixedRows(4);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        AssertBatchedScoresEqualRowByRow(model, data, rows.Select(r => r.Id).ToArray());

        float[][] scores = model.Transform(data).GetColumn<float[]>("Score").ToArray();
        var network = ((RnnTransformer)model).Network;
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Features.Length == 0 || rows[i].Features.Length % TestData.InputSize != 0)
                continue;
            var alone = new float[network.OutputLength(rows[i].Features.Length / TestData.InputSize)];
            network.Predict(rows[i].Features, alone);
            CollectionAssert.AreEqual(alone, scores[i], $"row {i}");
        }
    }

    [TestMethod]
    public void ALongRowAmongShortOnesScoresAsAlone()
    {
        // 3,000 steps padded for a whole block of 256 rows would need about 400 MB: the block is scored in batches instead.
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, RnnHead.ManyToMany, epochs: 1);
        options.HiddenSize = 16;
        float[][] x = Ragged(40, 8);
        ITransformer model = ml.Regression.Trainers.Rnn(options)
            .Fit(ml.Data.LoadFromEnumerable(x.Select(s => new TrainVectorRow { Features = s, Label = TestData.RunningSums(s) })));
        Row[] rows = MixedRows(12);
        rows[300].Features = TestData.Sequences(1, 99, length: 3000 * TestData.InputSize)[0];
        AssertBatchedScoresEqualRowByRow(model, ml.Data.LoadFromEnumerable(rows), rows.Select(r => r.Id).ToArray());
    }

    [TestMethod]
    public void BidirectionalBinaryManyToMany()
    {
        var ml = new MLContext(1);
        float[][] x = Ragged(40, 6);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Lstm, RnnHead.ManyToMany, epochs: 1);
        options.Bidirectional = true;
        options.HiddenSize = 6;
        ITransformer model = ml.BinaryClassification.Trainers.Rnn(options)
            .Fit(ml.Data.LoadFromEnumerable(x.Select(s => new TrainBinaryVectorRow { Features = s, Label = TestData.RunningSums(s).Select(v => v > 0).ToArray() })));
        Row[] rows = MixedRows(5);
        AssertBatchedScoresEqualRowByRow(model, ml.Data.LoadFromEnumerable(rows), rows.Select(r => r.Id).ToArray());
    }

    [TestMethod]
    public void BinaryAndMulticlassManyToOne()
    {
        var ml = new MLContext(1);
        Row[] rows = MixedRows(6);
        foreach (RnnTask task in new[] { RnnTask.BinaryClassification, RnnTask.MulticlassClassification })
        {
            RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, epochs: 1);
            options.HiddenSize = 12;
            ITransformer pipeline = TestData.Pipeline(ml, task, options).Fit(TestData.Data(ml, task, RnnHead.ManyToOne));
            ITransformer model = (pipeline as IEnumerable<ITransformer>)?.Last() ?? pipeline; // scoring data has no Label to map
            AssertBatchedScoresEqualRowByRow(model, ml.Data.LoadFromEnumerable(rows), rows.Select(r => r.Id).ToArray());
        }
    }

    [TestMethod]
    public void EncoderDecoderWithAttention()
    {
        var ml = new MLContext(1);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, RnnHead.EncoderDecoder, epochs: 1);
        options.Context = RnnContext.Attention;
        options.DecoderInput = RnnDecoderInput.EveryStep;
        options.HiddenSize = 9;
        ITransformer model = TestData.Pipeline(ml, RnnTask.Regression, options).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.EncoderDecoder));
        Row[] rows = MixedRows(7);
        AssertBatchedScoresEqualRowByRow(model, ml.Data.LoadFromEnumerable(rows), rows.Select(r => r.Id).ToArray());
    }

    [TestMethod]
    public void StudentTDistribution()
    {
        var ml = new MLContext(1);
        IDataView train = TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne, rows: 24);
        RnnTrainer.Options options = TestData.Options(RnnCellType.Gru, epochs: 1);
        options.Distribution = RnnDistribution.StudentT;
        options.ValidationSet = train;
        ITransformer model = ml.Regression.Trainers.Rnn(options).Fit(train);
        Row[] rows = MixedRows(8);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        Assert.IsNotNull(model.Transform(data).Schema.GetColumnOrNull("UpperBound"));
        AssertBatchedScoresEqualRowByRow(model, data, rows.Select(r => r.Id).ToArray());
    }

    [TestMethod]
    public void FilteredUpstreamViewAndATransformerChain()
    {
        var ml = new MLContext(1);
        Row[] rows = MixedRows(9);
        IDataView filtered = ml.Data.FilterRowsByColumn(ml.Data.LoadFromEnumerable(rows), "Id", lowerBound: 100, upperBound: 600);
        ITransformer rnn = ml.Regression.Trainers.Rnn(TestData.Options(RnnCellType.Lstm, epochs: 1)).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));
        ITransformer model = new TransformerChain<ITransformer>(ml.Transforms.CopyColumns("Copy", "Id").Fit(filtered), rnn);
        AssertBatchedScoresEqualRowByRow(model, filtered, rows.Where(r => r.Id >= 100 && r.Id < 600).Select(r => r.Id).ToArray());
        CollectionAssert.AreEqual(model.Transform(filtered).GetColumn<float>("Id").ToArray(), model.Transform(filtered).GetColumn<float>("Copy").ToArray());
    }

    private sealed class DeclaredRow
    {
        public float Id { get; set; }
        [VectorType(TestData.Length)] public float[] Features { get; set; } = [];
    }

    [TestMethod]
    public void ARowThatThrowsThrowsAtItsOwnPosition()
    {
        var ml = new MLContext(1);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));
        float[][] x = TestData.Sequences(Rows, 12);
        const int bad = 300;
        IDataView data = ml.Data.LoadFromEnumerable(x.Select((s, i) => new DeclaredRow { Id = i, Features = i == bad ? s[..6] : s }));
        IDataView scored = model.Transform(data);
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { scored.Schema["Score"], scored.Schema["Id"] });
        ValueGetter<float> score = cursor.GetGetter<float>(scored.Schema["Score"]);
        var engine = ml.Model.CreatePredictionEngine<DeclaredRow, ScoreOutput>(model);
        float value = 0;
        for (int i = 0; i < bad; i++)
        {
            Assert.IsTrue(cursor.MoveNext());
            score(ref value);
            Assert.AreEqual(engine.Predict(new DeclaredRow { Features = x[i] }).Score, value, $"row {i}");
        }

        Assert.IsTrue(cursor.MoveNext());
        Exception error = Assert.ThrowsExactly<InvalidOperationException>(() => score(ref value));
        Assert.Contains($"column 'Features' is declared with {TestData.Length} values but this row holds 6 (row {bad})", error.Message);
        Assert.IsTrue(cursor.MoveNext());
        score(ref value);
        Assert.AreEqual(engine.Predict(new DeclaredRow { Features = x[bad + 1] }).Score, value);
    }

    [TestMethod]
    public void ShuffledCursorsAndCursorSetsStillScoreEveryRow()
    {
        var ml = new MLContext(1);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));
        Row[] rows = MixedRows(10);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        Dictionary<float, int> expected = ScoresById(scored.GetRowCursor(scored.Schema));
        Assert.HasCount(Rows, expected);
        CollectionAssert.AreEquivalent(expected, ScoresById(scored.GetRowCursor(scored.Schema, new Random(2))));
        DataViewRowCursor[] set = scored.GetRowCursorSet(scored.Schema, 4);
        Assert.HasCount(1, set);
        CollectionAssert.AreEquivalent(expected, ScoresById(set[0]));
    }

    [TestMethod]
    public void CancelExecutionStopsScoringAtTheNextBlock()
    {
        var ml = new MLContext(1);
        ITransformer model = ml.Regression.Trainers.Rnn(TestData.Options(epochs: 1)).Fit(TestData.Data(ml, RnnTask.Regression, RnnHead.ManyToOne));
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(MixedRows(11)));
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { scored.Schema["Score"] });
        ValueGetter<float> score = cursor.GetGetter<float>(scored.Schema["Score"]);
        float value = 0;
        Assert.IsTrue(cursor.MoveNext());
        score(ref value);
        ml.CancelExecution();
        Assert.ThrowsExactly<OperationCanceledException>(() =>
        {
            while (cursor.MoveNext())
                score(ref value);
        });
    }

    private static Dictionary<float, int> ScoresById(DataViewRowCursor cursor)
    {
        using (cursor)
        {
            ValueGetter<float> id = cursor.GetGetter<float>(cursor.Schema["Id"]), score = cursor.GetGetter<float>(cursor.Schema["Score"]);
            var result = new Dictionary<float, int>();
            float i = 0, s = 0;
            while (cursor.MoveNext())
            {
                id(ref i);
                score(ref s);
                result.Add(i, BitConverter.SingleToInt32Bits(s));
            }

            return result;
        }
    }
}
