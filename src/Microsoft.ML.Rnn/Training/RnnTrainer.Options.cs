using Microsoft.ML.Rnn.Core;

namespace Microsoft.ML.Rnn;

public sealed partial class RnnTrainer
{
    /// <summary>
    /// Everything an <see cref="RnnTrainer"/> needs: the columns, the network, the optimizer and the training loop.
    /// Checked at <see cref="Fit"/> and <see cref="GetOutputSchema"/>; the trainer keeps its own copy (of the
    /// <see cref="InitialParameters"/> arrays too), so changing an instance after creating the trainer does not change the trainer.
    /// </summary>
    public sealed class Options
    {
        /// <summary>The sequence column: a <see cref="float"/> vector, time-major (<see cref="InputSize"/> values per
        /// step). A known size gives fixed-length sequences, an unknown size variable-length ones. With
        /// <see cref="RnnHead.OneToMany"/>, the row's one input vector: a known-size vector of <see cref="InputSize"/> values.
        /// Default "Features".</summary>
        public string FeatureColumnName = "Features";

        /// <summary>Instead of <see cref="FeatureColumnName"/>: several equal-length <see cref="float"/> vector
        /// columns, one feature per step each (as windowing produces); the input size is their count and step t takes
        /// element t of each, in this order. Default null (use <see cref="FeatureColumnName"/>).</summary>
        public string[]? SeriesColumnNames;

        /// <summary>The label column; its type depends on <see cref="Task"/> and <see cref="Head"/> (see docs/api.md). Default "Label".</summary>
        public string LabelColumnName = "Label";

        /// <summary>A <see cref="float"/> column of example weights, one per row (sequence): the loss becomes the weighted
        /// mean over the rows, each N vs N row's steps sharing its weight, so a weight of 2 counts a row twice and 0 leaves
        /// it out. Rows with a NaN, negative or infinite weight are skipped and counted. Class weights are a weight column
        /// computed from the label. A <see cref="ValidationSet"/> needs the column too; its loss is weighted the same way.
        /// Not saved. Default null (every row weighs 1).</summary>
        public string? ExampleWeightColumnName;

        /// <summary>Features per step, from 1 to <see cref="RnnNetworkShape.MaxDimension"/>; 0 (the default) takes them from the
        /// feature column's <see cref="RnnAnnotationKinds.FeaturesPerStep"/> annotation (sequence windows write it), or 1 when it
        /// has none. With <see cref="RnnHead.OneToMany"/> the size of the row's input vector; 0 takes the feature column's size. A value that differs from the annotation is refused. With <see cref="SeriesColumnNames"/> it must be 0, 1 or
        /// their count. The trained model's <see cref="RnnTransformer.Options"/> hold the size decided. Default 0.</summary>
        /// <remarks>Before the annotation existed the default was 1. The field stays an <see cref="int"/> (code that reads or sets
        /// it compiles and runs unchanged) and 0, which was refused before, now means "not set", so an explicit 1 still means
        /// 1.</remarks>
        public int InputSize;

        /// <summary>The recurrent cell. Default <see cref="RnnCellType.Lstm"/>.</summary>
        public RnnCellType Cell = RnnCellType.Lstm;

        /// <summary>The Elman cell's activation (LSTM and GRU ignore it, as PyTorch does). Default <see cref="RnnNonlinearity.Tanh"/>.</summary>
        public RnnNonlinearity Nonlinearity = RnnNonlinearity.Tanh;

        /// <summary>Units in each recurrent layer (per direction). Default 32.</summary>
        public int HiddenSize = 32;

        /// <summary>Stacked recurrent layers. Default 1.</summary>
        public int NumberOfLayers = 1;

        /// <summary>Runs each layer forward and backward in time and concatenates the two. Default false.</summary>
        public bool Bidirectional;

        /// <summary>Dropout probability between stacked layers during training, in [0, 1) (PyTorch's <c>dropout</c>). Default 0.</summary>
        public float Dropout;

        /// <summary>The sequence structure: <see cref="RnnHead.ManyToOne"/> (N vs 1, one output per sequence),
        /// <see cref="RnnHead.ManyToMany"/> (N vs N, one output per step), <see cref="RnnHead.OneToMany"/> (1 vs N: one
        /// input vector, <see cref="OutputLength"/> output steps) or <see cref="RnnHead.EncoderDecoder"/> (N vs M: an input
        /// sequence, <see cref="OutputLength"/> output steps). Default <see cref="RnnHead.ManyToOne"/>.</summary>
        public RnnHead Head = RnnHead.ManyToOne;

        /// <summary>M: the steps the decoder emits with <see cref="RnnHead.OneToMany"/> and <see cref="RnnHead.EncoderDecoder"/>;
        /// the label holds M steps. Must stay 1 with the other heads. Default 1.</summary>
        public int OutputLength = 1;

        /// <summary>How <see cref="RnnHead.EncoderDecoder"/> forms the context the decoder reads: the encoder's final state,
        /// a projection of it, or attention over all encoder steps. Default <see cref="RnnContext.LastState"/>.</summary>
        public RnnContext Context = RnnContext.LastState;

        /// <summary>How the decoder reads the context (N vs M) or the input vector (1 vs N): as its initial state, as an
        /// input at every step, or both (N vs M). Default <see cref="RnnDecoderInput.InitialState"/>.</summary>
        public RnnDecoderInput DecoderInput = RnnDecoderInput.InitialState;

        /// <summary>Whether the decoder's input at each step also holds the previous step's output (zeros at the first):
        /// the true previous label while training (teacher forcing), its own previous prediction when scoring (the value
        /// for regression, the 0/1 decision for binary, the one-hot predicted class for multiclass).
        /// <see cref="RnnHead.OneToMany"/> and <see cref="RnnHead.EncoderDecoder"/> only. Default false.</summary>
        public bool FeedPreviousOutput;

        /// <summary>What to predict; the catalog extension methods set it. Default <see cref="RnnTask.Regression"/>.</summary>
        public RnnTask Task = RnnTask.Regression;

        /// <summary>Rows per optimizer step; the last batch of an epoch may be smaller. Default 32.</summary>
        public int BatchSize = 32;

        /// <summary>Passes over the training rows, unless early stopping ends training first. 0 keeps the initial
        /// (or <see cref="InitialParameters"/>) weights untrained, for scoring imported models. <see cref="int.MaxValue"/>
        /// with <see cref="EarlyStoppingPatience"/> (or cancellation) trains until that stops it. Default 100.</summary>
        public int MaxEpochs = 100;

        /// <summary>Optimizer step size. Default 0.001.</summary>
        public float LearningRate = 1e-3f;

        /// <summary>How the learning rate changes from epoch to epoch; each epoch's rate is in
        /// <see cref="RnnEpochReport.LearningRate"/>. Default <see cref="RnnLearningRateSchedule.Constant"/>.</summary>
        public RnnLearningRateSchedule LearningRateSchedule = RnnLearningRateSchedule.Constant;

        /// <summary>The factor, in (0, 1), that <see cref="RnnLearningRateSchedule.StepDecay"/> and
        /// <see cref="RnnLearningRateSchedule.ReduceOnPlateau"/> multiply the learning rate by. Default 0.1 (PyTorch's).</summary>
        public float LearningRateDecay = 0.1f;

        /// <summary>Epochs between two decays of <see cref="RnnLearningRateSchedule.StepDecay"/>, at least 1. Default 10.</summary>
        public int LearningRateStepEpochs = 10;

        /// <summary>Epochs in a row without a lower monitored loss after which <see cref="RnnLearningRateSchedule.ReduceOnPlateau"/>
        /// reduces the learning rate, at least 1. Default 10.</summary>
        public int LearningRatePatience = 10;

        /// <summary>The floor of every schedule (<see cref="RnnLearningRateSchedule.Cosine"/> ends there), from 0 to
        /// <see cref="LearningRate"/>. Default 0.</summary>
        public float MinimumLearningRate;

        /// <summary>The optimizer. Default <see cref="RnnOptimizerKind.Adam"/>.</summary>
        public RnnOptimizerKind Optimizer = RnnOptimizerKind.Adam;

        /// <summary>SGD momentum in [0, 1); Adam and AdamW ignore it. Default 0.</summary>
        public float Momentum;

        /// <summary>Weight decay (L2 for Adam and SGD, decoupled for AdamW), ≥ 0. Default 0.</summary>
        public float WeightDecay;

        /// <summary>Largest global gradient L2 norm; larger gradients are scaled down. 0 turns clipping off. Default 0.</summary>
        public float GradientClipNorm;

        /// <summary>Shuffles the training rows before each epoch, from <see cref="Seed"/>. Default true.</summary>
        public bool Shuffle = true;

        /// <summary>Seed of the initial weights, the shuffling and the dropout masks; null takes the MLContext's
        /// seed (or a random one when the MLContext has none). Default null.</summary>
        public int? Seed;

        /// <summary>Rows scored after every epoch for the validation loss (same column names as the training data).
        /// With <see cref="EarlyStoppingPatience"/> it is the loss that early stopping watches. Not saved. Default null.</summary>
        public IDataView? ValidationSet;

        /// <summary>Stops after this many epochs without a lower monitored loss (the validation loss, or the training
        /// loss without a validation set) and keeps the best epoch's parameters. 0 turns early stopping off. Default 0.</summary>
        public int EarlyStoppingPatience;

        /// <summary>Carries each batch's final hidden state into the next batch (row i continues row i), reset at
        /// every epoch; meant for consecutive chunks of long series with <see cref="Shuffle"/> off. Scoring is
        /// always stateless. <see cref="RnnHead.ManyToOne"/> and <see cref="RnnHead.ManyToMany"/> only. Default false.</summary>
        public bool Stateful;

        /// <summary>Starting weights by PyTorch <c>state_dict</c> name (<c>rnn.weight_ih_l0</c> … <c>head.bias</c>,
        /// row-major), for warm starts and imported models; every parameter must be present with its PyTorch size.
        /// Copied when the trainer is created; not saved. Default null (PyTorch's initialisation from <see cref="Seed"/>).</summary>
        public IReadOnlyDictionary<string, float[]>? InitialParameters;

        /// <summary>
        /// Trains on the label standardised per output, <c>(label − mean) / std</c> with the training rows' mean and
        /// (population) standard deviation, and maps <c>Score</c> back with <c>output × std + mean</c>, so labels of any
        /// scale (prices in the thousands, relative changes around 0.01) train as well as unit-scale ones and scores are
        /// in the label's units. A constant label has a standard deviation of 0 and is divided by 1 instead. The
        /// statistics are saved in the model. For N vs N every step shares one output's statistics.
        /// <para>Null (the default) standardises for regression unless <see cref="InitialParameters"/> are given (imported
        /// weights were trained on the raw label, and training from them stays step-for-step comparable with PyTorch);
        /// true or false forces it. Only regression has a real-valued label: classification ignores null and false,
        /// and refuses true (<see cref="ArgumentOutOfRangeException"/>).</para>
        /// </summary>
        public bool? StandardizeLabel;

        /// <summary>What a regression model predicts for each output: a point (<see cref="RnnDistribution.None"/>, trained by mean
        /// squared error), or a <see cref="RnnDistribution.Normal"/> or <see cref="RnnDistribution.StudentT"/> distribution trained by
        /// its negative log-likelihood, which adds the columns <c>StandardDeviation</c>, <c>LowerBound</c> and <c>UpperBound</c>
        /// (the <see cref="ConfidenceLevel"/> central interval) beside <c>Score</c> (the mean). Any head. Regression only
        /// (<see cref="ArgumentOutOfRangeException"/> otherwise). The losses in <see cref="RnnEpochReport"/> are then mean
        /// negative log-likelihoods in nats, in the label's units. Default <see cref="RnnDistribution.None"/>.</summary>
        public RnnDistribution Distribution = RnnDistribution.None;

        /// <summary>The probability, in (0, 1), of the central interval written to <c>LowerBound</c> and <c>UpperBound</c> when
        /// <see cref="Distribution"/> is not <see cref="RnnDistribution.None"/>; saved in the model. Default 0.95.</summary>
        public float ConfidenceLevel = 0.95f;

        /// <summary>With a <see cref="Distribution"/> and a <see cref="ValidationSet"/>: after training, multiplies the predicted
        /// distribution's scale by the split-conformal factor computed on the validation rows, so that the
        /// <see cref="ConfidenceLevel"/> intervals cover that share of them (see docs/probabilistic.md). The factor is saved in the
        /// model (<see cref="RnnTransformer.IntervalCalibrationFactor"/>) and logged. Without a validation set nothing is calibrated.
        /// Default true.</summary>
        public bool CalibrateIntervals = true;

        /// <summary>Threads for the training kernels; null uses every core. Default null.</summary>
        public int? NumberOfThreads;

        /// <summary>Called after every epoch with its losses and time (on the training thread). Not saved. Default null.</summary>
        public Action<RnnEpochReport>? OnEpochEnd;

        /// <summary>Whether training standardises the label (see <see cref="StandardizeLabel"/>).</summary>
        internal bool StandardizesLabel => Task == RnnTask.Regression && (StandardizeLabel ?? InitialParameters is null);

        /// <summary>The network these options describe, for <paramref name="inputSize"/> features and <paramref name="outputSize"/> outputs per step.</summary>
        internal RnnNetworkShape NetworkShape(int inputSize, int outputSize) =>
            new(Cell, inputSize, HiddenSize, outputSize, NumberOfLayers, Bidirectional, Nonlinearity, Head, Dropout)
            {
                OutputLength = OutputLength,
                Context = Context,
                DecoderInput = DecoderInput,
                OutputFeedback = FeedPreviousOutput ? OutputFeedbackOf(Task) : RnnOutputFeedback.None,
                Distribution = Distribution,
            };

        /// <summary>What a decoder trained for <paramref name="task"/> feeds back with <see cref="FeedPreviousOutput"/>: the value
        /// (regression), the 0/1 decision (binary) or the one-hot class (multiclass).</summary>
        internal static RnnOutputFeedback OutputFeedbackOf(RnnTask task) => task switch
        {
            RnnTask.BinaryClassification => RnnOutputFeedback.Decision,
            RnnTask.MulticlassClassification => RnnOutputFeedback.Class,
            _ => RnnOutputFeedback.Value,
        };

        /// <summary>The core's training settings these options describe; the dropout masks draw from <paramref name="seed"/>.</summary>
        internal RnnTrainingOptions TrainingOptions(int seed) => new()
        {
            Loss = Task switch
            {
                RnnTask.BinaryClassification => RnnLoss.BinaryCrossEntropyWithLogits,
                RnnTask.MulticlassClassification => RnnLoss.SoftmaxCrossEntropy,
                _ when Distribution == RnnDistribution.Normal => RnnLoss.NormalNegativeLogLikelihood,
                _ when Distribution == RnnDistribution.StudentT => RnnLoss.StudentTNegativeLogLikelihood,
                _ => RnnLoss.MeanSquaredError,
            },
            Optimizer = Optimizer,
            LearningRate = LearningRate,
            Momentum = Momentum,
            WeightDecay = WeightDecay,
            GradientClipNorm = GradientClipNorm,
            Stateful = Stateful,
            Seed = seed,
            Threads = NumberOfThreads ?? Environment.ProcessorCount,
        };

        /// <summary>A shallow copy (the validation set, parameter dictionary and callback are shared, series names copied;
        /// the trainer copies the parameters itself, once).</summary>
        internal Options Clone()
        {
            var copy = (Options)MemberwiseClone();
            copy.SeriesColumnNames = SeriesColumnNames?.ToArray();
            return copy;
        }
    }
}
