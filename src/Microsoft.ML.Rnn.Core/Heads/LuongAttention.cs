using System.Numerics.Tensors;

namespace Microsoft.ML.Rnn.Core;

/// <summary>
/// The tutorial's third context (its formula 3): at every decoder step t, a weighted sum of all encoder outputs
/// <c>c_t = Σ_s α_s h_s</c>, with Luong's "general" score <c>s_{t−1}ᵀ W_a h_s</c> (<c>attention.weight</c>,
/// <c>[hidden, encoder width]</c>, no bias) and the softmax over each sequence's real steps only. The keys
/// <c>W_a h_s</c> are one product over all encoder steps before the decoder starts.
/// </summary>
internal sealed class LuongAttention
{
    private readonly int _hidden;
    private readonly int _width;
    private float[] _keys = [];
    private float[] _dKeys = [];
    private float[] _weights = [];
    private float[] _dWeights = [];
    private int _batch;
    private int _encoderSteps;

    /// <summary>Attention from a decoder state of <paramref name="hidden"/> values over encoder outputs <paramref name="width"/> wide.</summary>
    public LuongAttention(int hidden, int width, long offset)
    {
        _hidden = hidden;
        _width = width;
        Weight = new ParameterTensor("attention.weight", offset, hidden, width) { FanIn = width };
    }

    /// <summary><c>W_a</c>, <c>[hidden, encoder width]</c>.</summary>
    public ParameterTensor Weight { get; }

    /// <summary>
    /// Computes the keys <c>W_a h_s</c> of every encoder step; <paramref name="decoderSteps"/> sizes the weights kept for
    /// backward; a <paramref name="rowInvariant"/> pass rounds each row's keys as that row alone would.
    /// </summary>
    public void Prepare(ReadOnlySpan<float> parameters, in StackOutput stack, int decoderSteps, int threads, CancellationToken cancellation, bool rowInvariant)
    {
        _batch = stack.Batch;
        _encoderSteps = stack.StepCount;
        int rows = _encoderSteps * _batch;
        Span<float> keys = Buffers.Ensure(ref _keys, rows * _hidden);
        Gemm.MultiplyTransposedB(rows, _hidden, _width, stack.Steps, _width, Weight.In(parameters), _width, keys, _hidden, accumulate: false, threads, cancellation,
            rowInvariant ? GemmDispatcher.VaryingRows : 0);
        Buffers.Ensure(ref _weights, decoderSteps * _batch * _encoderSteps);
        Buffers.Ensure(ref _dWeights, _encoderSteps);
    }

    /// <summary>
    /// Writes <c>c_t</c> of each row into <paramref name="contexts"/> (row b at <c>b · stride</c>, <see cref="_width"/>
    /// values) from the decoder's previous top-layer state <paramref name="previousState"/> ([batch, hidden]).
    /// </summary>
    public void Context(int t, ReadOnlySpan<float> previousState, in StackOutput stack, Span<float> contexts, int stride)
    {
        for (int b = 0; b < _batch; b++)
        {
            int length = stack.Lengths[b];
            ReadOnlySpan<float> state = previousState.Slice(b * _hidden, _hidden);
            Span<float> weights = _weights.AsSpan((t * _batch + b) * _encoderSteps, _encoderSteps);
            weights.Clear();
            float max = float.NegativeInfinity;
            for (int s = 0; s < length; s++)
            {
                weights[s] = TensorPrimitives.Dot(state, _keys.AsSpan((s * _batch + b) * _hidden, _hidden));
                max = MathF.Max(max, weights[s]);
            }

            double sum = 0;
            for (int s = 0; s < length; s++)
            {
                weights[s] = MathF.Exp(weights[s] - max);
                sum += weights[s];
            }

            Span<float> context = contexts.Slice(b * stride, _width);
            context.Clear();
            for (int s = 0; s < length; s++)
            {
                weights[s] = (float)(weights[s] / sum);
                TensorPrimitives.MultiplyAdd(stack.Steps.Slice((s * _batch + b) * _width, _width), weights[s], context, context);
            }
        }
    }

    /// <summary>Starts the backward pass: no key gradient yet.</summary>
    public void BeginBackward() => Buffers.Ensure(ref _dKeys, _encoderSteps * _batch * _hidden).Clear();

    /// <summary>
    /// Back-propagates <c>c_t</c>: from <paramref name="dContexts"/> (row b at <c>b · stride</c>) adds to d loss / d (encoder
    /// outputs) directly (<paramref name="dSteps"/>) and to the keys' gradient, and writes d loss / d (previous state)
    /// into <paramref name="dPreviousState"/> ([batch, hidden]).
    /// </summary>
    public void BackwardStep(int t, ReadOnlySpan<float> dContexts, int stride, ReadOnlySpan<float> previousState, in StackOutput stack,
        Span<float> dPreviousState, Span<float> dSteps)
    {
        Span<float> dWeights = _dWeights.AsSpan(0, _encoderSteps);
        for (int b = 0; b < _batch; b++)
        {
            int length = stack.Lengths[b];
            ReadOnlySpan<float> dContext = dContexts.Slice(b * stride, _width);
            ReadOnlySpan<float> weights = _weights.AsSpan((t * _batch + b) * _encoderSteps, _encoderSteps);
            ReadOnlySpan<float> state = previousState.Slice(b * _hidden, _hidden);
            Span<float> dState = dPreviousState.Slice(b * _hidden, _hidden);
            double weighted = 0;
            for (int s = 0; s < length; s++)
            {
                dWeights[s] = TensorPrimitives.Dot(dContext, stack.Steps.Slice((s * _batch + b) * _width, _width));
                weighted += (double)weights[s] * dWeights[s];
            }

            dState.Clear();
            for (int s = 0; s < length; s++)
            {
                // Softmax backward: d score_s = α_s (dα_s − Σ α dα); then score_s = s_{t−1} · k_s.
                float dScore = (float)(weights[s] * (dWeights[s] - weighted));
                int row = s * _batch + b;
                Span<float> dStep = dSteps.Slice(row * _width, _width);
                TensorPrimitives.MultiplyAdd(dContext, weights[s], dStep, dStep);
                Span<float> dKey = _dKeys.AsSpan(row * _hidden, _hidden);
                TensorPrimitives.MultiplyAdd(state, dScore, dKey, dKey);
                TensorPrimitives.MultiplyAdd(_keys.AsSpan(row * _hidden, _hidden), dScore, dState, dState);
            }
        }
    }

    /// <summary>After every step: dW_a = Σ dkᵀ h over all encoder steps, and d h_s += dk_s W_a.</summary>
    public void FinishBackward(ReadOnlySpan<float> parameters, in StackOutput stack, Span<float> gradients, Span<float> dSteps, int threads,
        CancellationToken cancellation)
    {
        int rows = _encoderSteps * _batch;
        ReadOnlySpan<float> dKeys = _dKeys.AsSpan(0, rows * _hidden);
        Gemm.MultiplyTransposedA(_hidden, _width, rows, dKeys, _hidden, stack.Steps, _width, Weight.In(gradients), _width, accumulate: false, threads, cancellation);
        Gemm.Multiply(rows, _width, _hidden, dKeys, _hidden, Weight.In(parameters), _width, dSteps, _width, accumulate: true, threads, cancellation);
    }
}
