using System.Diagnostics;

namespace StabilityLab.Cli;

/// <summary>
/// Progress on standard error: a live line (count, rate, ETA) on a terminal, and a plain line
/// every 10% when standard error is redirected (what CI and log files see). Thread-safe.
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    private readonly CliIo _io;
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive;
    private long _done;
    private long _lastShownTicks;
    private int _lastDecile;

    public ProgressReporter(CliIo io, string label, long total)
    {
        _io = io;
        _label = label;
        _total = Math.Max(total, 1);
        _interactive = ReferenceEquals(io.Err, Console.Error) && !Console.IsErrorRedirected;
    }

    public void Advance(long n)
    {
        long done = Interlocked.Add(ref _done, n);
        if (_interactive)
        {
            long now = _clock.ElapsedTicks;
            long last = Interlocked.Read(ref _lastShownTicks);
            if (now - last < Stopwatch.Frequency / 5 && done < _total) return;
            if (Interlocked.CompareExchange(ref _lastShownTicks, now, last) != last) return;
            lock (_io.Err) _io.Err.Write($"\r{Line(done)}   ");
        }
        else
        {
            int decile = (int)(10 * done / _total);
            int prev = _lastDecile;
            if (decile > prev && Interlocked.CompareExchange(ref _lastDecile, decile, prev) == prev && _clock.Elapsed.TotalSeconds > 2)
                lock (_io.Err) _io.Err.WriteLine(Line(done));
        }
    }

    private string Line(long done)
    {
        double secs = _clock.Elapsed.TotalSeconds;
        double rate = done / Math.Max(secs, 1e-9);
        double eta = rate > 0 ? (_total - done) / rate : double.NaN;
        string etaText = double.IsFinite(eta) ? TimeSpan.FromSeconds(Math.Round(eta)).ToString() : "?";
        return $"{_label}: {done}/{_total} ({100.0 * done / _total:F0}%), {rate:F1}/s, ETA {etaText}";
    }

    public void Dispose()
    {
        if (_interactive && Interlocked.Read(ref _done) > 0) lock (_io.Err) _io.Err.WriteLine();
    }
}
