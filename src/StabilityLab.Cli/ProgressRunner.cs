using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace StabilityLab.Cli;

/// <summary>
/// Runs long work with progress on standard error: a Spectre.Console progress bar (done, rate,
/// ETA) on a terminal, and plain lines every 10% when standard error is redirected (CI, logs).
/// </summary>
public static class ProgressRunner
{
    /// <param name="work">Gets an advance callback (thread-safe) and returns the result.</param>
    public static T Run<T>(CliIo io, string label, string unit, long total, Func<Action<long>, T> work)
    {
        bool interactive = ReferenceEquals(io.Err, Console.Error) && !Console.IsErrorRedirected;
        if (!interactive)
        {
            using var plain = new ProgressReporter(io, $"{label} ({unit})", total);
            return work(plain.Advance);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RateColumn(unit),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(total, 1));
                var gate = new object();
                var result = work(n => { lock (gate) task.Increment(n); });
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>Work per second, in the caller's unit (e.g. trial-layers/s).</summary>
    private sealed class RateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:0.00e0} {unit}/s") : "");
    }
}
