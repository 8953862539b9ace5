using StabilityLab.Claims.Kinds;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Sweeps;

namespace StabilityLab.Claims;

/// <summary>
/// `stabilitylab check` as a library call (docs/claims.md): runs the sweeps the claims and their controls need — one
/// per distinct network, τ rule and grid, shared, under DIR/studies/&lt;key&gt; — then tests every claim and control and
/// writes DIR/verdicts.json and DIR/verdicts.md. The claims are one Holm family and the controls another.
/// </summary>
public static class ClaimCheck
{
    /// <summary>Shows the progress of one study: label, unit (trial-layers, steps, trials), total, and the work (which reports what it has done).</summary>
    public delegate void StudyProgress(string label, string unit, long total, Action<Action<long>> work);

    /// <param name="file">The claims.</param>
    /// <param name="outDir">Where the studies and the verdict files go.</param>
    /// <param name="threads">Worker threads of each sweep (0 = all cores).</param>
    /// <param name="fresh">Recompute every study instead of reusing finished ones (they are reused by content otherwise).</param>
    /// <param name="resume">Continue an interrupted study where it stopped (otherwise it starts again from nothing).</param>
    /// <param name="progress">Shows each study's progress (default: none).</param>
    /// <param name="log">Lines about the studies as they run.</param>
    /// <param name="runners">Interpreters of the kinds not measured on a sweep (training, block products); a claim of
    /// such a kind without its runner is refused before any work.</param>
    public static CheckResult Run(ClaimsFile file, string outDir, int threads = 0, bool fresh = false, bool resume = false, StudyProgress? progress = null, Action<string>? log = null,
        IReadOnlyList<IClaimRunner>? runners = null)
    {
        var checks = Prepare(file, outDir, threads, fresh, resume, progress, log, runners);
        if (checks.Interrupted) return new CheckResult(file.Title, [], Interrupted: true, SignalExitCode: checks.SignalExitCode);
        var result = CheckResult.Resolve(file.Title, checks.Checks);
        VerdictFiles.Write(Path.GetFullPath(outDir), file.Title, file.Seed, result);
        return result;
    }

    /// <summary>What <see cref="Prepare"/> gives: the unresolved checks, the study directory of each claim id, or an interruption.</summary>
    public sealed record Prepared(IReadOnlyList<ClaimChecks> Checks, IReadOnlyDictionary<string, string> StudyDirectories, bool Interrupted = false, int? SignalExitCode = null);

    /// <summary>Runs the studies and tests every claim and control, leaving the families unresolved (a caller may add its own claims).</summary>
    public static Prepared Prepare(ClaimsFile file, string outDir, int threads = 0, bool fresh = false, bool resume = false, StudyProgress? progress = null, Action<string>? log = null,
        IReadOnlyList<IClaimRunner>? runners = null)
    {
        progress ??= (_, _, _, work) => work(_ => { });
        var dir = Path.GetFullPath(outDir);
        var studiesDir = Path.Combine(dir, ClaimStudies.Folder);
        var everything = file.Claims.SelectMany(c => c.Controls.Select(k => k.Claim).Prepend(c)).ToList();
        var all = everything.Where(c => c.Kind.OnSweep()).ToList();
        // The other kinds go to their runner, each runner with its claims in file order.
        var byRunner = new List<(IReadOnlyList<Claim> Claims, IClaimRunner Runner)>();
        foreach (var g in everything.Where(c => !c.Kind.OnSweep()).GroupBy(c => runners?.FirstOrDefault(r => r.Kinds.Contains(c.Kind))))
        {
            if (g.Key is null)
                throw new SpecException($"claim '{g.First().Id}': kind '{g.First().Kind.Name()}' needs the training and spectral engines: check it with the stabilitylab command (from C#, pass StabilityLab.Torch.Claims.ClaimRunners.All)");
            byRunner.Add((g.ToList(), g.Key));
        }
        var specs = ClaimStudies.Plan(all, file.Seed);
        var keyOf = specs.ToDictionary(kv => kv.Key, kv => ClaimStudies.Key(kv.Value));
        // The distinct studies in order of first use, each with the claims (and controls) that read it.
        var studies = all.GroupBy(c => keyOf[c.Id]).Select(g => (Key: g.Key, Spec: specs[g.First().Id], Users: g.Select(c => c.Id).ToList())).ToList();
        // Every size is checked, and the directory taken, before any work: bad input leaves nothing behind.
        foreach (var st in studies)
        {
            try { st.Spec.Validate(); SweepResources.Of(st.Spec, threads).Check(studiesDir); }
            catch (SpecException e) { throw new SpecException($"claim '{st.Users[0]}': {e.Message}"); }
        }
        foreach (var (claims, runner) in byRunner) runner.Validate(claims, file.Seed);
        using var held = OutputLock.Take(dir);

        // A finished study is reused by content (same key, same spec, same bits); an unfinished one is continued only
        // when asked, since its partial cells were written by whatever build ran it.
        foreach (var st in studies)
        {
            var sdir = Path.Combine(studiesDir, st.Key);
            if (Directory.Exists(sdir) && (fresh || !resume && !SweepRunner.IsComplete(sdir))) Directory.Delete(sdir, recursive: true);
        }

        // Run each study once.
        var data = new Dictionary<string, StudyData>(StringComparer.Ordinal);
        foreach (var (key, spec, users) in studies)
        {
            string sdir = Path.Combine(studiesDir, key);
            log?.Invoke($"check: study {key} ({string.Join(", ", spec.Taus.Select(t => t.Rule))}; m={spec.Widths[0]}, {spec.Depths.Count} depths, {spec.Trials} trials) for {string.Join(", ", users)}");
            StabilityStudyResult r = null!;
            progress($"study {key}", "trial-layers", StabilityStudy.Work(spec, ShardSpec.Whole),
                advance => r = StabilityStudy.Run(spec, sdir, threads, ShardSpec.Whole, resume: true, advance));
            if (r.Interrupted) return new Prepared([], new Dictionary<string, string>(), Interrupted: true, SignalExitCode: r.SignalExitCode);
            data[key] = new StudyData(sdir);
        }

        var context = new ClaimRunnerContext(threads, fresh, resume, progress, log);
        var other = new Dictionary<string, (Check Check, string Directory)>(StringComparer.Ordinal);
        foreach (var (claims, runner) in byRunner)
        {
            var r = runner.Run(claims, file.Seed, studiesDir, context);
            if (r.Interrupted) return new Prepared([], new Dictionary<string, string>(), Interrupted: true, SignalExitCode: r.SignalExitCode);
            foreach (var (id, v) in r.Checks) other[id] = v;
        }

        string DirOf(Claim c) => c.Kind.OnSweep() ? data[keyOf[c.Id]].Directory : other[c.Id].Directory;
        Check CheckOf(Claim c) => c.Kind.OnSweep() ? Evaluate(c, data[keyOf[c.Id]]) : other[c.Id].Check;
        string Rel(Claim c) => Path.GetRelativePath(dir, DirOf(c)).Replace('\\', '/');
        var checks = file.Claims.Select(c => new ClaimChecks(ClaimInfo.Of(c), CheckOf(c),
            c.Controls.Select(k => (ControlInfo.Of(k), CheckOf(k.Claim))).ToList(),
            c.Controls.Select(k => k.Claim).Prepend(c).Select(Rel).Distinct().ToList())).ToList();
        return new Prepared(checks, everything.ToDictionary(c => c.Id, DirOf));
    }

    /// <summary>One claim's test on its study's data (each kind in Claims/Kinds).</summary>
    public static Check Evaluate(Claim c, StudyData data)
    {
        string label = $"{c.Id}: {c.Statement}";
        return c.Kind switch
        {
            ClaimKind.Bounded => BoundedClaim.Evaluate(c, ClaimMeasurement.Points(c, data), label),
            ClaimKind.Unbounded => UnboundedClaim.Evaluate(c, ClaimMeasurement.Points(c, data), label),
            ClaimKind.GrowthExponent => GrowthExponentClaim.Evaluate(c, ClaimMeasurement.Points(c, data), label),
            ClaimKind.ThresholdExponent => ThresholdExponentClaim.Evaluate(c, data, label),
            ClaimKind.Below => BoundClaim.Evaluate(c, ClaimMeasurement.Points(c, data), label, below: true),
            ClaimKind.Above => BoundClaim.Evaluate(c, ClaimMeasurement.Points(c, data), label, below: false),
            ClaimKind.MatchesTheory => MatchesTheoryClaim.Evaluate(c, data, label),
            _ => throw new ArgumentException($"kind '{c.Kind.Name()}' is not measured on a sweep", nameof(c)),
        };
    }
}
