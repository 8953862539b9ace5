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

    /// <summary>Adds a check across options: <paramref name="problem"/> returns the error line, or null when the values agree.</summary>
    public static void Require(this Command command, Func<CommandResult, string?> problem) =>
        command.Validators.Add(result =>
        {
            try
            {
                if (problem(result) is { } p) result.AddError(p);
            }
            catch (InvalidOperationException)
            {
                // A value that does not convert is reported by its own option.
            }
        });

    /// <summary>An option's value as a command validator sees it: what was given, else the option's default.</summary>
    public static T Value<T>(this CommandResult result, Option<T> option) =>
        result.GetResult(option) is { } given ? given.GetValueOrDefault<T>() : (T)option.GetDefaultValue()!;

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
