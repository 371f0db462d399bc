using System.Text.Json;
using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn.Tests.Core;

/// <summary>One reference file written by tests/fixtures/generate_torch_fixtures.py (format in tests/fixtures/README.md).</summary>
internal sealed class TorchFixture
{
    private readonly JsonElement _root;

    private TorchFixture(string name, JsonElement root)
    {
        Name = name;
        _root = root;
    }

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "torch");

    public string Name { get; }

    public JsonElement Root => _root;

    public static IEnumerable<string> ModelFixtureNames() =>
        Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).Where(n => n != "tutorial_train").Order()!;

    /// <summary>The distribution heads' fixtures (tests/fixtures/generate_distribution_fixtures.py).</summary>
    public static string DistributionFolder => Path.Combine(AppContext.BaseDirectory, "fixtures", "torch_distribution");

    public static IEnumerable<string> DistributionFixtureNames() =>
        Directory.GetFiles(DistributionFolder, "*.json").Select(Path.GetFileNameWithoutExtension).Order()!;

    public static TorchFixture Load(string name) => LoadFrom(Folder, name);

    public static TorchFixture LoadFrom(string folder, string name)
    {
        using var stream = File.OpenRead(Path.Combine(folder, name + ".json"));
        return new TorchFixture(name, JsonDocument.Parse(stream).RootElement.Clone());
    }

    public RnnNetworkShape Shape
    {
        get
        {
            JsonElement config = _root.GetProperty("config");
            RnnCellType cell = config.GetProperty("cell").GetString() switch
            {
                "lstm" => RnnCellType.Lstm,
                "gru" => RnnCellType.Gru,
                _ => RnnCellType.Rnn,
            };
            return new RnnNetworkShape(
                cell,
                config.GetProperty("input_size").GetInt32(),
                config.GetProperty("hidden_size").GetInt32(),
                config.GetProperty("output_size").GetInt32(),
                config.GetProperty("num_layers").GetInt32(),
                config.GetProperty("bidirectional").GetBoolean(),
                config.GetProperty("nonlinearity").GetString() == "relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
                config.GetProperty("head").GetString() switch
                {
                    "many_to_many" => RnnHead.ManyToMany,
                    "one_to_many" => RnnHead.OneToMany,
                    "encoder_decoder" => RnnHead.EncoderDecoder,
                    _ => RnnHead.ManyToOne,
                })
            {
                OutputLength = config.TryGetProperty("output_length", out JsonElement m) ? m.GetInt32() : 1,
                Context = config.TryGetProperty("context", out JsonElement c) ? c.GetString() switch
                {
                    "projected" => RnnContext.Projected,
                    "attention" => RnnContext.Attention,
                    _ => RnnContext.LastState,
                } : RnnContext.LastState,
                DecoderInput = config.TryGetProperty("decoder_input", out JsonElement d) ? d.GetString() switch
                {
                    "every_step" => RnnDecoderInput.EveryStep,
                    "initial_state_and_every_step" => RnnDecoderInput.InitialStateAndEveryStep,
                    _ => RnnDecoderInput.InitialState,
                } : RnnDecoderInput.InitialState,
                OutputFeedback = config.TryGetProperty("feedback", out JsonElement f) ? f.GetString() switch
                {
                    "value" => RnnOutputFeedback.Value,
                    "decision" => RnnOutputFeedback.Decision,
                    "class" => RnnOutputFeedback.Class,
                    _ => RnnOutputFeedback.None,
                } : RnnOutputFeedback.None,
                Distribution = config.TryGetProperty("distribution", out JsonElement p) ? p.GetString() switch
                {
                    "normal" => RnnDistribution.Normal,
                    "studentt" => RnnDistribution.StudentT,
                    _ => RnnDistribution.None,
                } : RnnDistribution.None,
            };
        }
    }

    public RnnLoss Loss => _root.GetProperty("config").GetProperty("loss").GetString() switch
    {
        "bce" => RnnLoss.BinaryCrossEntropyWithLogits,
        "ce" => RnnLoss.SoftmaxCrossEntropy,
        "nll_normal" => RnnLoss.NormalNegativeLogLikelihood,
        "nll_studentt" => RnnLoss.StudentTNegativeLogLikelihood,
        _ => RnnLoss.MeanSquaredError,
    };

    public int Steps => _root.GetProperty("steps").GetInt32();

    public int[] Lengths => _root.GetProperty("lengths").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public float[] Floats(string key) => Floats(_root.GetProperty(key));

    public float[] FloatsOrEmpty(string key) =>
        _root.TryGetProperty(key, out JsonElement e) && e.ValueKind == JsonValueKind.Array ? Floats(e) : [];

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static Dictionary<string, float[]> Parameters(JsonElement dictionary) =>
        dictionary.EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value));

    public RnnNetwork CreateNetwork()
    {
        var network = new RnnNetwork(Shape, seed: 0);
        network.ImportParameters(Parameters(_root.GetProperty("parameters")));
        return network;
    }

    /// <summary>The core's settings for one of the file's <c>training</c> runs (optimizer, learning rate, momentum, decay, clipping).</summary>
    public RnnTrainingOptions TrainingOptions(JsonElement run)
    {
        string optimizer = run.GetProperty("optimizer").GetString()!;
        return new RnnTrainingOptions
        {
            Loss = Loss,
            Optimizer = optimizer switch { "sgd" => RnnOptimizerKind.Sgd, "adamw" => RnnOptimizerKind.AdamW, _ => RnnOptimizerKind.Adam },
            LearningRate = run.GetProperty("lr").GetSingle(),
            WeightDecay = run.GetProperty("weight_decay").GetSingle(),
            Momentum = optimizer == "sgd" ? run.GetProperty("momentum").GetSingle() : 0f,
            GradientClipNorm = run.GetProperty("clip_norm").ValueKind == JsonValueKind.Null ? 0f : run.GetProperty("clip_norm").GetSingle(),
        };
    }

    /// <summary>Every parameter's gradient and the input gradient against the file's <c>gradients</c>, within 1e-4 relative.</summary>
    public void AssertGradientsMatch(RnnNetwork network, ReadOnlySpan<float> gradient, ReadOnlySpan<float> inputGradient)
    {
        var expected = Parameters(_root.GetProperty("gradients"));
        foreach (ParameterTensor tensor in network.Layout.Tensors)
            Close.AllClose(expected[tensor.Name], tensor.In(gradient), $"d loss / d {tensor.Name}");
        Close.AllClose(expected["input"], inputGradient, "d loss / d input");
    }
}
