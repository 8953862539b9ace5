using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Output;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Figures;
using StabilityLab.Plotting.Style;
using StabilityLab.Spectral;
using StabilityLab.Sweeps;
using StabilityLab.Tables;
using StabilityLab.Torch.Claims;
using StabilityLab.Torch.Training;

namespace StabilityLab.Reports;

/// <summary>
/// The paper's claims end to end, into a report directory: `check` on the scale's claims file (the stability claims
/// and their controls, on the sweeps under studies/), the training study (claim 4) and the spectral study (claim 1,
/// block products), each claim with a control that must FAIL; the fits, theory and figures of the stability sweep;
/// verdicts.json, verdicts.md and README.md (<see cref="ReportWriter"/>). From scratch unless resumed; the same seed
/// gives the same data files.
/// </summary>
public static class Reproduction
{
    /// <param name="scale">The sizes of the studies.</param>
    /// <param name="outDir">The report directory.</param>
    /// <param name="seed">Master seed of every study.</param>
    /// <param name="threads">Worker threads of the stability sweeps (0 = all cores).</param>
    /// <param name="resume">Keep what an earlier run of the same reproduction left in the directory and continue it;
    /// otherwise every study is recomputed.</param>
    /// <param name="claims">The stability claims (default: the scale's claims file).</param>
    /// <param name="progress">Shows each stage's progress (default: none).</param>
    /// <param name="log">Lines about the stages as they run.</param>
    /// <param name="runners">The training and spectral interpreters (default <see cref="ClaimRunners.All"/>; the CLI passes
    /// <see cref="ClaimRunners.WithWorkers"/> to train the studies in worker processes).</param>
    public static ReproductionResult Run(ReproduceScale scale, string outDir, ulong seed, int threads, bool resume = false, ClaimsFile? claims = null,
        ClaimCheck.StudyProgress? progress = null, Action<string>? log = null, IReadOnlyList<IClaimRunner>? runners = null)
    {
        progress ??= (_, _, _, work) => work(_ => { });
        var dir = Path.GetFullPath(outDir);
        claims = (claims ?? scale.Claims()) with { Seed = seed };
        var head = RunManifest.Start("reproduce", $"reproduce --scale {scale.Name} --seed {seed}");
        var clock = Stopwatch.StartNew();
        var timings = new JsonObject();
        if (!resume)
            foreach (var stale in new[] { ClaimStudies.Folder, "training", "spectrum", "figures", "stability" }.Select(d => Path.Combine(dir, d)))
                if (Directory.Exists(stale)) Directory.Delete(stale, recursive: true);

        // 1. Every claim of the file: the sweeps, the training and the spectral studies, then every claim's and control's test.
        log?.Invoke($"reproduce: {claims.Title} ({claims.Claims.Count} claims) → {Path.Combine(dir, ClaimStudies.Folder)}");
        var prepared = ClaimCheck.Prepare(claims, dir, threads, fresh: !resume, resume: resume,
            progress, log, runners ?? ClaimRunners.All);
        if (prepared.Interrupted) return new ReproductionResult(dir, null, Interrupted: true, prepared.SignalExitCode);
        // Every claim of the report is one Holm family, every control another.
        var result = CheckResult.Resolve(claims.Title, prepared.Checks);
        VerdictFiles.Write(dir, claims.Title, seed, result);
        timings["claims_s"] = clock.Elapsed.TotalSeconds;

        // 2. Fits, theory and tables of the sweep that holds the τ family (the threshold claim's), else the first sweep claim's.
        var sweepId = claims.Claims.FirstOrDefault(c => c.Kind == ClaimKind.ThresholdExponent)?.Id ?? claims.Claims.First(c => c.Kind.OnSweep()).Id;
        var sweepDir = prepared.StudyDirectories[sweepId];
        var fitOptions = new FitOptions();
        var (fit, theory) = SweepFit.Run(sweepDir, fitOptions);
        var cells = CellsTable.Read(Path.Combine(sweepDir, SweepRunner.CellsFile));
        timings["fit_s"] = clock.Elapsed.TotalSeconds;

        // 3. The training claim's study (claim 4) and the block-product claim's (claim 1), for the tables and figures.
        var trainClaim = claims.Claims.FirstOrDefault(c => c.Kind == ClaimKind.RateIndependentOfDepth) ?? claims.Claims.FirstOrDefault(c => c.Kind.IsTraining());
        var trainDir = trainClaim is null ? null : prepared.StudyDirectories[trainClaim.Id];
        var spectrumClaim = claims.Claims.FirstOrDefault(c => c.Kind == ClaimKind.OperatorNormBounded);
        var spectrumDir = spectrumClaim is null ? null : prepared.StudyDirectories[spectrumClaim.Id];
        var training = trainDir is not null && File.Exists(Path.Combine(trainDir, TrainingStudy.RunsFile)) ? TrainingStudy.Read(trainDir) : null;

        // 5. Figures (PNG for the report, SVG for papers), each with the CSV of what it plots.
        var figuresDir = Path.Combine(dir, "figures");
        var gallery = new StringBuilder();
        string sweepRel = Path.GetRelativePath(dir, sweepDir).Replace('\\', '/');
        var sources = FigureAvailability.Supported(sweepDir).Select(n => (n, sweepDir)).ToList();
        if (training is not null) sources.Add((TrainingFigure.Name, trainDir!));
        if (spectrumDir is not null) sources.Add((SpectrumFigure.Name, spectrumDir));
        foreach (var (name, source) in sources)
            foreach (var fig in FigureCatalog.Build(name, source))
            {
                FigureExporter.Export(fig.Model, figuresDir, fig.FileName, [FigureFormat.Png, FigureFormat.Svg], FigureSize.Double);
                gallery.AppendLine($"### {fig.FileName}").AppendLine()
                    .AppendLine($"![{fig.FileName}](figures/{fig.FileName}.png)").AppendLine()
                    .AppendLine($"Data: [figures/{fig.FileName}.csv](figures/{fig.FileName}.csv); vector: [figures/{fig.FileName}.svg](figures/{fig.FileName}.svg).").AppendLine();
            }
        timings["figures_s"] = clock.Elapsed.TotalSeconds;

        // 6. The report.
        var sections = new List<ReportWriter.Section>
        {
            new("Threshold τ*(L)", ReportTables.Threshold(fit)),
            new("Training: rate against depth (claim 4)", training is null ? "No training claim in the claims file, or its data are missing (see the verdicts).\n"
                : ReportTables.Training(training, TrainingClaims.Plan(claims.Claims.SelectMany(c => c.Controls.Select(k => k.Claim).Prepend(c))
                    .Where(c => c.Kind.IsTraining()).ToList(), seed)[trainClaim!.Id])),
            new("Training with and without BatchNorm (claim 5)", ComparisonSection(claims, seed, Path.Combine(dir, ClaimStudies.Folder))),
            new("Growth of log E‖h_L‖²/‖h_0‖² with depth", ReportTables.Growth(cells)),
            new("Finite-width theory beside the measurements", ReportTables.Theory(theory)),
            new("Figures", gallery.ToString()),
            new("Data and provenance", ReportTables.Provenance(sweepRel, trainDir is null ? null : Rel(trainDir), spectrumDir is null ? null : Rel(spectrumDir))),
        };
        string Rel(string path) => Path.GetRelativePath(dir, path).Replace('\\', '/');
        var report = ReportWriter.Write(scale, seed, result, sections);
        AtomicFile.WriteAllText(Path.Combine(dir, "README.md"), report);
        timings["total_s"] = clock.Elapsed.TotalSeconds;

        var manifest = new JsonObject
        {
            ["scale"] = JsonSerializer.SerializeToNode(scale),
            ["claims"] = claims.Title,
            ["seed"] = seed,
            ["timings"] = timings,
            ["outputs"] = new JsonArray([.. new[] { "README.md", VerdictFiles.Json, VerdictFiles.Markdown, sweepRel + "/cells.csv", sweepRel + "/traces.csv", sweepRel + "/raw.csv",
                sweepRel + "/fits.json", sweepRel + "/theory.csv", sweepRel + "/manifest.json" }
                .Concat(trainDir is null ? [] : new[] { "curves.csv", "runs.csv", "fits.json", "manifest.json" }.Select(f => Rel(trainDir) + "/" + f))
                .Concat(spectrumDir is null ? [] : new[] { "spectra.csv", "manifest.json" }.Select(f => Rel(spectrumDir) + "/" + f))
                .Append("figures/").Select(x => (JsonNode)x)]),
        };
        head.End(RunStatus.Complete).Write(dir, manifest);
        return new ReproductionResult(dir, result, Interrupted: false);
    }

    /// <summary>The four networks of claim 5 side by side, or why there is no table.</summary>
    private static string ComparisonSection(ClaimsFile claims, ulong seed, string studiesDir)
    {
        var all = claims.Claims.SelectMany(c => c.Controls.Select(k => k.Claim).Prepend(c)).ToList();
        if (!all.Any(c => c.Kind == ClaimKind.AccuracyComparison)) return "No accuracy-comparison claim in the claims file.\n";
        string table = AccuracyComparison.Table(all, seed, studiesDir);
        return table.Length > 0 ? table : "Not measured: the comparison needs Fashion-MNIST (`apt-get install dataset-fashion-mnist`); its claims are INCONCLUSIVE (see the verdicts).\n";
    }

}
