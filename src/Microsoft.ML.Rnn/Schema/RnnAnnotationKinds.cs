namespace Microsoft.ML.Rnn;

/// <summary>
/// The column annotation kinds this package defines (alongside ML.NET's own, such as <c>SlotNames</c>). Their names start with
/// <c>Microsoft.ML.Rnn.</c> so they cannot be mistaken for another library's.
/// </summary>
public static class RnnAnnotationKinds
{
    /// <summary>
    /// An <see cref="int"/> annotation (<c>NumberDataViewType.Int32</c>) on a time-major feature vector column: how many values
    /// make one step. <see cref="SequenceWindowCatalog.CreateSequenceWindows(DataOperationsCatalog, IDataView, SequenceWindowOptions)"/>
    /// writes it on its feature column. <see cref="RnnTrainer"/> takes its input size from it when
    /// <see cref="RnnTrainer.Options.InputSize"/> is 0 (the default) and refuses any other value that differs; a trained model
    /// refuses to score a column whose annotation differs from its input size. Any data view may write it, with a value from 1
    /// to <see cref="Core.RnnNetworkShape.MaxDimension"/>. Transforms that rebuild a column's annotations (most of ML.NET's) drop
    /// it; the trainer then falls back to 1 feature per step unless <see cref="RnnTrainer.Options.InputSize"/> is set.
    /// </summary>
    public const string FeaturesPerStep = "Microsoft.ML.Rnn.FeaturesPerStep";
}
