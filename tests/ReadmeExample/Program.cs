using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

var ml = new MLContext(seed: 1);

// One row per time step: here a noisy wave, in practice your prices, sensor readings or sales.
List<Day> days = Enumerable.Range(0, 1200)
    .Select(t => new Day { Value = MathF.Sin(t / 8f) + 0.2f * MathF.Sin(t * 1.7f) })
    .ToList();
IDataView series = ml.Data.LoadFromEnumerable(days);

// One row per window: 30 steps of Value as the features, the step after them as the label.
IDataView windows = ml.Data.CreateSequenceWindows(series, "Value", windowLength: 30);
IDataView train = ml.Data.TakeRows(windows, 1000); // the first 1000 windows to learn from,
IDataView test = ml.Data.SkipRows(windows, 1000);  // the later ones to evaluate on

// Train an LSTM, N vs 1: the whole window in, one value out.
var trainer = ml.Regression.Trainers.Rnn(new RnnTrainer.Options
{
    Cell = RnnCellType.Lstm,
    HiddenSize = 16,
    MaxEpochs = 20,
    OnEpochEnd = e => Console.WriteLine($"epoch {e.Epoch}: train loss {e.TrainLoss:G3}"),
});
ITransformer model = trainer.Fit(train);

// Evaluate with ML.NET's own regression metrics.
RegressionMetrics metrics = ml.Regression.Evaluate(model.Transform(test));
Console.WriteLine($"RMSE on the later windows: {metrics.RootMeanSquaredError:F4}");

// Save; load in a fresh MLContext (no registration call); predict the step after the last 30.
ml.Model.Save(model, windows.Schema, "rnn.zip");
var app = new MLContext();
ITransformer loaded = app.Model.Load("rnn.zip", out _);
var engine = app.Model.CreatePredictionEngine<Window, Prediction>(loaded);
float[] last30 = days.TakeLast(30).Select(d => d.Value).ToArray();
Console.WriteLine($"Next value: {engine.Predict(new Window { Features = last30 }).Score:F4}");

public sealed class Day
{
    public float Value { get; set; }
}

public sealed class Window
{
    [VectorType(30)] public float[] Features { get; set; } = []; // 30 steps × 1 feature, time-major
}

public sealed class Prediction
{
    public float Score { get; set; }
}
