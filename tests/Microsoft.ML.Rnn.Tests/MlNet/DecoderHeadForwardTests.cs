using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn.Tests.MlNet;

/// <summary>
/// The two decoder heads score through the trainer what the tutorial's equations (docs/api.md, "Heads") give by hand:
/// a one-unit Elman network whose weights are set by name (<c>InitialParameters</c>, no training), scored with
/// <c>Transform</c>, against the recurrences worked out here in double precision.
/// </summary>
[TestClass]
public sealed class DecoderHeadForwardTests
{
    private const int M = 3;

    private sealed class SequenceRow
    {
        public float[] Features { get; set; } = [];
        public float[] Label { get; set; } = [];
    }

    private static RnnTrainer.Options Options(RnnHead head, IReadOnlyDictionary<string, float[]> parameters) => new()
    {
        Cell = RnnCellType.Rnn,
        Head = head,
        InputSize = 1,
        HiddenSize = 1,
        OutputLength = M,
        MaxEpochs = 0,
        Seed = 1,
        NumberOfThreads = 1,
        InitialParameters = parameters,
    };

    /// <summary>A one-unit Elman layer's four tensors under <paramref name="prefix"/> (<c>rnn</c> or <c>decoder</c>).</summary>
    private static IEnumerable<KeyValuePair<string, float[]>> Layer(string prefix, float[] weightIh, float weightHh) =>
    [
        new($"{prefix}.weight_ih_l0", weightIh),
        new($"{prefix}.weight_hh_l0", [weightHh]),
        new($"{prefix}.bias_ih_l0", [0f]),
        new($"{prefix}.bias_hh_l0", [0f]),
    ];

    private static Dictionary<string, float[]> Parameters(params IEnumerable<KeyValuePair<string, float[]>>[] parts) =>
        parts.SelectMany(p => p).ToDictionary();

    private static readonly KeyValuePair<string, float[]>[] Head = [new("head.weight", [1f]), new("head.bias", [0f])];

    private static float[][] Scores(RnnTrainer.Options options, IDataView data)
    {
        var ml = new MLContext(1);
        return ml.Regression.Trainers.Rnn(options).Fit(data).Transform(data).GetColumn<float[]>("Score").ToArray();
    }

    private static IDataView Vectors(float[] inputs) =>
        TestData.Sized(new MLContext(1), inputs.Select(x => new TestData.DecoderRow<float> { Features = [x], Label = new float[M] }), 1, M, NumberDataViewType.Single);

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int t = 0; t < expected.Length; t++)
            Assert.AreEqual(expected[t], actual[t], 1e-6, $"{what}, step {t}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
    }

    [TestMethod]
    public void OneToManyInitialStateReadsTheVectorAtTheFirstStepOnly()
    {
        // The tutorial's left figure: h₀ = tanh(x), then h_t = tanh(h_{t−1}) with zeros for input.
        float[] inputs = [0.8f, -1.5f];
        var options = Options(RnnHead.OneToMany, Parameters(Layer("rnn", [1f], 1f), Head));
        float[][] scores = Scores(options, Vectors(inputs));
        for (int row = 0; row < inputs.Length; row++)
        {
            double h0 = Math.Tanh(inputs[row]), h1 = Math.Tanh(h0), h2 = Math.Tanh(h1);
            AssertClose([h0, h1, h2], scores[row], $"row {row}");
        }
    }

    [TestMethod]
    public void OneToManyEveryStepReadsTheVectorAtEveryStep()
    {
        // The right figure: h_t = tanh(x + h_{t−1}).
        float[] inputs = [0.8f, -1.5f];
        var options = Options(RnnHead.OneToMany, Parameters(Layer("rnn", [1f], 1f), Head));
        options.DecoderInput = RnnDecoderInput.EveryStep;
        float[][] scores = Scores(options, Vectors(inputs));
        for (int row = 0; row < inputs.Length; row++)
        {
            double x = inputs[row], h0 = Math.Tanh(x), h1 = Math.Tanh(x + h0), h2 = Math.Tanh(x + h1);
            AssertClose([h0, h1, h2], scores[row], $"row {row}");
        }
    }

    [TestMethod]
    public void OneToManyScoringFeedsBackItsOwnPreviousOutput()
    {
        // Input [x | y_{t−1}], weight_ih [1, 1], weight_hh 0, head y = 2h: h₀ = tanh(x), h_t = tanh(y_{t−1}) = tanh(2 h_{t−1}).
        // Without the feedback every later step would be tanh(0) = 0.
        float[] inputs = [0.3f, -0.9f];
        var options = Options(RnnHead.OneToMany, Parameters(Layer("rnn", [1f, 1f], 0f), [new("head.weight", [2f]), new("head.bias", [0f])]));
        options.FeedPreviousOutput = true;
        float[][] scores = Scores(options, Vectors(inputs));
        for (int row = 0; row < inputs.Length; row++)
        {
            double y0 = 2 * Math.Tanh(inputs[row]), y1 = 2 * Math.Tanh(y0), y2 = 2 * Math.Tanh(y1);
            AssertClose([y0, y1, y2], scores[row], $"row {row}");
        }
    }

    [TestMethod]
    public void EncoderDecoderLastStateStartsTheDecoderFromTheEncodersFinalState()
    {
        // Encoder over [a, b]: h₁ = tanh(a), h₂ = tanh(b + 0.5 h₁). The decoder reads no input (weight_ih is [1, 0]) and starts
        // from h₂: d₀ = tanh(h₂), d_t = tanh(d_{t−1}).
        var ml = new MLContext(1);
        float[][] sequences = [[0.5f, -0.25f], [-1f, 2f]];
        IDataView data = TestData.Sized(ml, sequences.Select(s => new TestData.DecoderRow<float> { Features = s, Label = new float[M] }), 2, M,
            NumberDataViewType.Single);
        var options = Options(RnnHead.EncoderDecoder, Parameters(Layer("rnn", [1f], 0.5f), Layer("decoder", [], 1f), Head));
        float[][] scores = Scores(options, data);
        for (int row = 0; row < sequences.Length; row++)
        {
            double encoded = Math.Tanh(sequences[row][1] + 0.5 * Math.Tanh(sequences[row][0]));
            double d0 = Math.Tanh(encoded), d1 = Math.Tanh(d0), d2 = Math.Tanh(d1);
            AssertClose([d0, d1, d2], scores[row], $"row {row}");
        }
    }

    [TestMethod]
    public void EncoderDecoderProjectedContextIsEveryDecoderLayersInitialState()
    {
        // c = tanh(2 h_T + 0.5), h_T = tanh(b) (encoder weight_hh 0); d₀ = tanh(c), d_t = tanh(d_{t−1}).
        var ml = new MLContext(1);
        float[][] sequences = [[0.5f, -0.25f], [-1f, 0.7f]];
        IDataView data = TestData.Sized(ml, sequences.Select(s => new TestData.DecoderRow<float> { Features = s, Label = new float[M] }), 2, M,
            NumberDataViewType.Single);
        var options = Options(RnnHead.EncoderDecoder,
            Parameters(Layer("rnn", [1f], 0f), [new("context.weight", [2f]), new("context.bias", [0.5f])], Layer("decoder", [], 1f), Head));
        options.Context = RnnContext.Projected;
        float[][] scores = Scores(options, data);
        for (int row = 0; row < sequences.Length; row++)
        {
            double c = Math.Tanh(2 * Math.Tanh(sequences[row][1]) + 0.5);
            double d0 = Math.Tanh(c), d1 = Math.Tanh(d0), d2 = Math.Tanh(d1);
            AssertClose([d0, d1, d2], scores[row], $"row {row}");
        }
    }

    [TestMethod]
    public void EncoderDecoderAttentionWeighsEachSequencesRealStepsOnly()
    {
        // Encoder outputs h_s = tanh(x_s) (weight_hh 0). The decoder starts from zeros (EveryStep), so step 0's scores are all 0
        // and c₀ is the mean of the real steps; then score_s = d_{t−1} · h_s (attention.weight 1), α = softmax over the real
        // steps, c_t = Σ α_s h_s, d_t = tanh(c_t) (decoder weight_ih 1, weight_hh 0). Rows of 3 and 1 steps in one batch: the
        // short row's padding must not enter its softmax.
        var ml = new MLContext(1);
        float[][] sequences = [[0.9f, -0.4f, 1.7f], [-0.6f]];
        IDataView data = ml.Data.LoadFromEnumerable(sequences.Select(s => new SequenceRow { Features = s, Label = new float[M] }));
        var options = Options(RnnHead.EncoderDecoder,
            Parameters(Layer("rnn", [1f], 0f), [new("attention.weight", [1f])], Layer("decoder", [1f], 0f), Head));
        options.Context = RnnContext.Attention;
        options.DecoderInput = RnnDecoderInput.EveryStep;
        float[][] scores = Scores(options, data);
        for (int row = 0; row < sequences.Length; row++)
        {
            double[] h = sequences[row].Select(x => Math.Tanh(x)).ToArray();
            var expected = new double[M];
            double previous = 0;
            for (int t = 0; t < M; t++)
            {
                double[] weights = h.Select(hs => Math.Exp(previous * hs)).ToArray();
                double context = h.Select((hs, s) => weights[s] * hs).Sum() / weights.Sum();
                previous = expected[t] = Math.Tanh(context);
            }

            AssertClose(expected, scores[row], $"row {row}");
        }
    }
}
