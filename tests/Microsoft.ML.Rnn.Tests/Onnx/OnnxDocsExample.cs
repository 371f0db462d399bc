using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Rnn.Tests.Onnx;

/// <summary>docs/onnx.md's worked example: the code between the markers is the document's C# block word for word
/// (<see cref="OnnxDocsExampleTests"/> compares them and runs it).</summary>
internal static class OnnxDocsExample
{
    public sealed class Window
    {
        [VectorType(8)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    /// <summary>Windows of 8 steps of a sine wave (amplitude 5, offset 20), each labelled with the value after it.</summary>
    public static IEnumerable<Window> Windows(int count) => Enumerable.Range(0, count).Select(start => new Window
    {
        Features = Enumerable.Range(start, 8).Select(Value).ToArray(),
        Label = Value(start + 8),
    });

    private static float Value(int t) => 20 + 5 * MathF.Sin(t * 0.3f);

    /// <summary>Trains, exports to <paramref name="path"/>, and scores the first window with ML.NET and with ONNX Runtime.</summary>
    public static (float MlNet, float Onnx) Run(string path)
    {
        // <example>
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Windows(200));
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.Regression.Trainers.Rnn(new RnnTrainer.Options { InputSize = 1, HiddenSize = 16, MaxEpochs = 5 }));
        ITransformer model = pipeline.Fit(data);

        // The normaliser and the RNN become one ONNX graph whose input is the Features column.
        IDataView features = ml.Transforms.SelectColumns("Features").Fit(data).Transform(data);
        using (FileStream file = File.Create(path))
            ml.Model.ConvertToOnnx(model, features, file);

        // ONNX Runtime: input "Features" [rows, 8]; outputs "<column>.output", here "Score.output" [rows, 1].
        float[] window = Windows(1).First().Features;
        using var session = new InferenceSession(path);
        var input = NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(window, [1, 8]));
        using var results = session.Run([input]);
        float onnxScore = results.First(r => r.Name == "Score.output").AsTensor<float>()[0, 0];

        float mlNetScore = ml.Model.CreatePredictionEngine<Window, Prediction>(model).Predict(new Window { Features = window }).Score;
        // </example>
        return (mlNetScore, onnxScore);
    }

    public sealed class Prediction
    {
        public float Score { get; set; }
    }
}
