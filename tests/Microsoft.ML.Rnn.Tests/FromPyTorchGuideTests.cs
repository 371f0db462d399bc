using Microsoft.ML.Data;
using Microsoft.ML.Rnn.Tests.Core;

namespace Microsoft.ML.Rnn.Tests;

/// <summary>
/// What docs/from-pytorch.md claims, checked against PyTorch: the seed tutorial's train.py (fixed input, a fresh target every
/// iteration, hidden_prev carried and detached, Adam) is one ML.NET epoch over the iterations' rows in order, with
/// <c>Stateful</c>, no shuffling and one iteration's sequences per batch, started from the tutorial's <c>state_dict</c>.
/// </summary>
[TestClass]
public sealed class FromPyTorchGuideTests
{
    [TestMethod]
    public void TutorialTrainingLoopIsOneStatefulEpochOfTheIterationsRows()
    {
        TorchFixture fixture = TorchFixture.Load("tutorial_train");
        int batch = fixture.Root.GetProperty("batch").GetInt32(), steps = fixture.Steps;
        const int features = 3, outputs = 4;
        float[] x = fixture.Floats("input"); // [batch, steps, features], batch-first as in train.py
        var rows = new List<Sequence>();
        foreach (float[] y in fixture.Root.GetProperty("targets").EnumerateArray().Select(TorchFixture.Floats))
        {
            for (int b = 0; b < batch; b++)
            {
                rows.Add(new Sequence
                {
                    Features = x.AsSpan(b * steps * features, steps * features).ToArray(),
                    Label = y.AsSpan(b * steps * outputs, steps * outputs).ToArray(),
                });
            }
        }

        var ml = new MLContext(1);
        var schema = SchemaDefinition.Create(typeof(Sequence));
        schema[nameof(Sequence.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps * features);
        schema[nameof(Sequence.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps * outputs);
        IDataView data = ml.Data.LoadFromEnumerable(rows, schema);
        var reports = new List<RnnEpochReport>();

        RnnTransformer model = ml.Regression.Trainers.Rnn(new RnnTrainer.Options
        {
            Cell = RnnCellType.Rnn,
            InputSize = features,
            HiddenSize = 5,
            Head = RnnHead.ManyToMany,
            BatchSize = batch,
            Shuffle = false,
            Stateful = true,
            MaxEpochs = 1,
            LearningRate = 1e-3f,
            InitialParameters = TorchFixture.Parameters(fixture.Root.GetProperty("parameters")),
            NumberOfThreads = 1,
            OnEpochEnd = reports.Add,
        }).Fit(data);

        IReadOnlyDictionary<string, float[]> trained = model.Network.ExportParameters();
        foreach (var (name, expected) in TorchFixture.Parameters(fixture.Root.GetProperty("final_parameters")))
        {
            Close.AllClose(expected, trained[name], name);
        }

        Assert.AreEqual(fixture.Floats("losses").Average(), reports.Single().TrainLoss, 1e-4 * reports.Single().TrainLoss,
            "the epoch's loss is the mean of the iterations' losses");
    }

    [TestMethod]
    public void ImportedStateDictScoresAsPyTorchWithoutTraining()
    {
        // MaxEpochs = 0 keeps the imported weights: the network PyTorch built, scoring in ML.NET. PyTorch's first loss (before
        // any step, from a zero state) is the MSE of exactly these outputs against the first targets.
        TorchFixture fixture = TorchFixture.Load("tutorial_train");
        Dictionary<string, float[]> stateDict = TorchFixture.Parameters(fixture.Root.GetProperty("parameters"));
        float[] x = fixture.Floats("input");
        float[] y = TorchFixture.Floats(fixture.Root.GetProperty("targets")[0]);
        var ml = new MLContext(1);
        var schema = SchemaDefinition.Create(typeof(Sequence));
        schema[nameof(Sequence.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 90);
        schema[nameof(Sequence.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 120);
        IDataView data = ml.Data.LoadFromEnumerable(
            [new Sequence { Features = x[..90], Label = y[..120] }, new Sequence { Features = x[90..], Label = y[120..] }], schema);

        RnnTransformer model = ml.Regression.Trainers.Rnn(new RnnTrainer.Options
        {
            Cell = RnnCellType.Rnn,
            InputSize = 3,
            HiddenSize = 5,
            Head = RnnHead.ManyToMany,
            InitialParameters = stateDict,
            MaxEpochs = 0,
        }).Fit(data);

        float[] scores = model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        double mse = scores.Zip(y, (s, t) => (double)(s - t) * (s - t)).Average();
        Assert.AreEqual(fixture.Floats("losses")[0], mse, 1e-5 * mse);
        foreach (var (name, values) in stateDict)
        {
            CollectionAssert.AreEqual(values, model.Network.ExportParameters()[name], name);
        }
    }

    /// <summary>One sequence: steps × features in, steps × outputs out, both time-major (sizes set by a schema definition).</summary>
    private sealed class Sequence
    {
        public float[] Features { get; set; } = [];

        public float[] Label { get; set; } = [];
    }
}
