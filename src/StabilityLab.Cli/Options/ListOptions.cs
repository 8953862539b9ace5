using System.CommandLine;
using StabilityLab.Models;

namespace StabilityLab.Cli.Options;

/// <summary>Options that take a list of values, space- or comma-separated (`--depth 4 8 16` or `--depth 4,8,16`).</summary>
public static class ListOptions
{
    /// <summary>A list option whose every value must pass <paramref name="parse"/> (a FormatException or OverflowException names it as not <paramref name="what"/>).</summary>
    public static Option<string[]> Create<T>(string name, string description, string defaults, Func<string, T> parse, string what, params string[] aliases)
    {
        var option = new Option<string[]>(name, aliases)
        {
            Description = description,
            AllowMultipleArgumentsPerToken = true,
            Arity = ArgumentArity.OneOrMore,
            DefaultValueFactory = _ => [defaults],
        };
        return option.Parses(tokens => Values(tokens, name, parse, what));
    }

    /// <summary>The distinct values of a list option, in order.</summary>
    public static IReadOnlyList<T> Values<T>(string[] tokens, string option, Func<string, T> parse, string what)
    {
        var list = new List<T>();
        foreach (var token in tokens)
            foreach (var part in token.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                try
                {
                    list.Add(parse(part));
                }
                catch (Exception e) when (e is FormatException or OverflowException)
                {
                    throw new SpecException($"{option}: '{part}' is not {what}");
                }
            }
        if (list.Count == 0) throw new SpecException($"{option} needs at least one value");
        return list.Distinct().ToList();
    }
}
