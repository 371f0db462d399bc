using Microsoft.ML.Runtime;

namespace Microsoft.ML.Rnn;

/// <summary>
/// A <see cref="CancellationToken"/> that trips when a host's execution is cancelled (<c>MLContext.CancelExecution()</c>),
/// for the core, which knows no ML.NET host and checks a token at every time step.
/// </summary>
/// <remarks>
/// ML.NET's host raises nothing when cancelled; it only answers <c>CheckAlive()</c>. So a timer asks it every
/// <see cref="PollMilliseconds"/>: a cancelled training stops within that and one time step, at the cost of a
/// flag read on a pool thread 50 times a second.
/// </remarks>
internal sealed class HostCancellation : IDisposable
{
    private const int PollMilliseconds = 20;

    private readonly IHost _host;
    private readonly CancellationTokenSource _source = new();
    private readonly Timer _timer;

    public HostCancellation(IHost host)
    {
        _host = host;
        _timer = new Timer(_ => Poll(), null, PollMilliseconds, PollMilliseconds);
    }

    /// <summary>Trips once the host is cancelled.</summary>
    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        // Waits for a running poll, so that none touches the source after it is disposed.
        using (var stopped = new ManualResetEvent(false))
        {
            if (_timer.Dispose(stopped))
                stopped.WaitOne();
        }

        _source.Dispose();
    }

    private void Poll()
    {
        try
        {
            _host.CheckAlive();
        }
        catch (OperationCanceledException)
        {
            _source.Cancel();
        }
    }
}
