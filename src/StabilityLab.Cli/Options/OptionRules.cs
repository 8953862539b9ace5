using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using StabilityLab.Models;

namespace StabilityLab.Cli.Options;

/// <summary>
/// Validators attached to options, so the parser reports a bad value as one error naming the option
/// (CliApp prints it as one line and exits 2) before any command starts work.
/// </summary>
public static class OptionRules
{
    /// <summary>Adds a check: <paramref name="problem"/> returns what is wrong with a value (null when fine) or throws <see cref="SpecException"/>.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(result =>
        {
            // A value the parser could not convert is already reported by the parser itself.
            if (result.Errors.Any() || !TryGetValue(result, out T value)) return;
            try
            {
                if (problem(value) is { } p) result.AddError($"{option.Name} {p}");
            }
            catch (SpecException e)
            {
                result.AddError(e.Message.StartsWith(option.Name, StringComparison.Ordinal) ? e.Message : $"{option.Name}: {e.Message}");
            }
        });
        return option;
    }

    /// <summary>The value must parse: <paramref name="parse"/> throws <see cref="SpecException"/> on a bad one.</summary>
    public static Option<T> Parses<T, TParsed>(this Option<T> option, Func<T, TParsed> parse) =>
        option.Check(v => { parse(v); return null; });

    public static Option<int> AtLeast(this Option<int> option, int min) =>
        option.Check(v => v >= min ? null : F($"must be at least {min} (got {v})"));

    public static Option<double> FiniteAbove(this Option<double> option, double min) =>
        option.Check(v => v > min && double.IsFinite(v) ? null : F($"must be a finite number above {min} (got {v})"));

    private static bool TryGetValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
