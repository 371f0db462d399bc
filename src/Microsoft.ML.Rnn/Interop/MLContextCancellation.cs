namespace Microsoft.ML;

/// <summary>
/// Makes <c>mlContext.CancelExecution()</c> callable. ML.NET 5.0.1 declares it <c>internal</c> on <see cref="MLContext"/>;
/// this extension forwards to it, so training that checks for cancellation (such as <c>RnnTrainer</c>, at every
/// time step) stops with an <see cref="OperationCanceledException"/>. Should ML.NET make its method public, the compiler
/// picks that one instead and nothing changes for callers.
/// </summary>
public static class MLContextCancellation
{
    /// <summary>Cancels every operation running in <paramref name="mlContext"/>: training stops within a time step
    /// with an <see cref="OperationCanceledException"/>. The context stays cancelled; use a new one afterwards.</summary>
    /// <param name="mlContext">The context whose operations to cancel.</param>
    public static void CancelExecution(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.CancelExecution(); // the internal instance method (this file compiles against the publicized reference)
    }
}
