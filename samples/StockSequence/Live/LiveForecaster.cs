using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Rnn;

namespace StockSequence.Live;

/// <summary>
/// The live mode's network: N vs N (<see cref="RnnHead.ManyToMany"/>), one scaled log return in and the next day's out at every
/// step, trained <see cref="RnnTrainer.Options.Stateful"/> on the training part cut into <see cref="Streams"/> consecutive
/// stretches, so that, like the streaming engine that serves it, it learns to carry its state from chunk to chunk.
/// </summary>
public sealed class LiveForecaster
{
    /// <summary>The most parallel stretches (the batch size of stateful training).</summary>
    public const int MaxStreams = 8;

    private LiveForecaster(RnnTransformer network, int streams, int chunkLength, int rows)
    {
        Network = network;
        Streams = streams;
        ChunkLength = chunkLength;
        Rows = rows;
    }

    /// <summary>The trained network (N vs N, unidirectional: it streams).</summary>
    public RnnTransformer Network { get; }

    /// <summary>Stretches of the training part trained side by side (row i of a batch continues row i of the batch before).</summary>
    public int Streams { get; }

    /// <summary>Steps per training row.</summary>
    public int ChunkLength { get; }

    /// <summary>Training rows.</summary>
    public int Rows { get; }

    /// <summary>Trains on the training part's inputs: the label at step k is input k + 1 (the next day's scaled return).</summary>
    /// <param name="mlContext">The context (its seed fixes the weights).</param>
    /// <param name="inputs">The training part's scaled returns, oldest first (at least 2).</param>
    /// <param name="options">The command line: window (chunk length), cell, hidden, layers, epochs.</param>
    /// <param name="onEpochEnd">Optional progress callback.</param>
    public static LiveForecaster Train(MLContext mlContext, IReadOnlyList<float> inputs, SampleOptions options, Action<RnnEpochReport>? onEpochEnd = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        int pairs = inputs.Count - 1;
        if (pairs < 2)
        {
            throw new InvalidOperationException($"The training part has {inputs.Count + 1} days: too few to train the live network.");
        }

        int chunk = Math.Min(options.Window, pairs);
        int streams = Math.Clamp(pairs / chunk, 1, MaxStreams);
        int stretch = pairs / streams, chunks = stretch / chunk;
        var rows = new List<Chunk>(chunks * streams);
        for (int j = 0; j < chunks; j++)
        {
            for (int b = 0; b < streams; b++)
            {
                int start = b * stretch + j * chunk;
                var x = new float[chunk];
                var y = new float[chunk];
                for (int k = 0; k < chunk; k++)
                {
                    x[k] = inputs[start + k];
                    y[k] = inputs[start + k + 1];
                }

                rows.Add(new Chunk { Features = x, Label = y });
            }
        }

        var schema = SchemaDefinition.Create(typeof(Chunk));
        schema[nameof(Chunk.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, chunk);
        schema[nameof(Chunk.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, chunk);
        IDataView data = mlContext.Data.LoadFromEnumerable(rows, schema);
        RnnTransformer network = mlContext.Regression.Trainers.Rnn(new RnnTrainer.Options
        {
            InputSize = 1,
            Cell = options.Cell,
            HiddenSize = options.Hidden,
            NumberOfLayers = options.Layers,
            Head = RnnHead.ManyToMany,
            MaxEpochs = options.Epochs,
            BatchSize = streams,
            Stateful = true,
            Shuffle = false,
            OnEpochEnd = onEpochEnd,
        }).Fit(data);
        return new LiveForecaster(network, streams, chunk, rows.Count);
    }

    /// <summary>One training row: <see cref="ChunkLength"/> consecutive inputs and, step for step, the next day's.</summary>
    private sealed class Chunk
    {
        public float[] Features { get; set; } = [];

        public float[] Label { get; set; } = [];
    }
}
