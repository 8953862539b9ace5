using System.CommandLine;
using System.CommandLine.Parsing;
using StabilityLab.Models;

namespace StabilityLab.Cli.Options;

/// <summary>
/// τ must be positive and finite at every layer of every depth a command will build; that needs the τ and
/// depth options together, so it is a command validator. Rules with unbound parameters (families such as
/// L^-beta) are checked once bound, by the sweep spec.
/// </summary>
public static class TauChecks
{
    public static void AtDepths(Command command, Option tauOption,
        Func<CommandResult, IEnumerable<string>> rules, Func<CommandResult, IEnumerable<int>> depths)
    {
        command.Validators.Add(result =>
        {
            TauRule[] rs;
            int[] ds;
            try
            {
                rs = rules(result).Select(TauRule.Parse).Where(t => t.FreeParameters.Count == 0).ToArray();
                ds = depths(result).Where(L => L >= 1).ToArray();
            }
            catch (Exception e) when (e is SpecException or InvalidOperationException)
            {
                return; // a value that does not parse is reported by its own option's validator
            }
            try
            {
                foreach (var rule in rs)
                    foreach (var L in ds)
                        rule.Check(L);
            }
            catch (SpecException e)
            {
                result.AddError($"{tauOption.Name}: {e.Message}");
            }
        });
    }
}
