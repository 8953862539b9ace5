using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Fitting;
using StabilityLab.Output;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Figures;
using StabilityLab.Plotting.Style;
using StabilityLab.Spectral;
using StabilityLab.Sweeps;
using StabilityLab.Tables;
using StabilityLab.Torch.Spectral;
using StabilityLab.Torch.Training;

namespace StabilityLab.Reports;

/// <summary>
/// The paper's claims end to end, into a report directory: the stability sweep with its fits and verdicts, the
/// training study (claim 4), the spectral study (claim 1), the figures, and README.md (<see cref="ReportWriter"/>).
/// Every stage resumes or recomputes the same numbers, so the same seed gives the same data files.
/// </summary>
public static class Reproduction
{
    /// <param name="scale">The sizes of the studies.</param>
    /// <param name="outDir">The report directory.</param>
    /// <param name="seed">Master seed of every study.</param>
    /// <param name="threads">Worker threads of the stability sweep (0 = all cores).</param>
    /// <param name="progress">Shows each stage's progress (default: none).</param>
    /// <param name="log">Lines about the stages as they run.</param>
    public static ReproductionResult Run(ReproduceScale scale, string outDir, ulong seed, int threads,
        StageProgress? progress = null, Action<string>? log = null)
    {
        progress ??= (_, _, _, work) => work(_ => { });
        var dir = Path.GetFullPath(outDir);
        var head = RunManifest.Start("reproduce", $"reproduce --scale {scale.Name} --seed {seed}");
        var clock = Stopwatch.StartNew();
        var timings = new JsonObject();

        // 1. The stability sweep (resumable: rerunning continues or recomputes the same numbers).
        var sweepDir = Path.Combine(dir, "stability");
        var spec = scale.StabilitySweep(seed);
        log?.Invoke($"reproduce: stability sweep → {sweepDir}");
        spec.Validate();
        StabilityStudyResult sweep = null!;
        progress("sweep", "trial-layers", StabilityStudy.Work(spec, ShardSpec.Whole),
            advance => sweep = StabilityStudy.Run(spec, sweepDir, threads, ShardSpec.Whole, resume: true, advance));
        log?.Invoke(sweep.Report);
        if (sweep.Interrupted) return new ReproductionResult(dir, [], Interrupted: true);
        timings["stability_sweep_s"] = clock.Elapsed.TotalSeconds;

        // 2. Fits and their checks (resolved below with the other studies' checks).
        var fitOptions = new FitOptions();
        var (fit, theory) = SweepFit.Run(sweepDir, fitOptions);
        timings["fit_s"] = clock.Elapsed.TotalSeconds;
        var checks = fit.Checks.ToList();
        var cells = CellsTable.Read(Path.Combine(sweepDir, SweepRunner.CellsFile));

        // 3. The training study (claim 4): rates against depth at one step size.
        var trainDir = Path.Combine(dir, "training");
        var study = scale.TrainingStudy(seed);
        log?.Invoke($"reproduce: training study → {trainDir}");
        TrainingStudyResult training = null!;
        // One thread: the study's runs are small, and two threads collapse when the other core is busy.
        progress("training", "steps", TrainingStudy.StepsToRun(study, trainDir, resume: true),
            advance => training = TrainingStudy.Run(study, trainDir, resume: true, onStep: n => advance(n), threads: 1));
        checks.AddRange(ReproductionVerdicts.Training(training, fitOptions.Alpha));
        timings["training_s"] = clock.Elapsed.TotalSeconds;

        // 4. Spectral diagnostics (claim 1): operator norms of block products.
        var spectrumDir = Path.Combine(dir, "spectrum");
        log?.Invoke($"reproduce: block-product operator norms → {spectrumDir}");
        var spectral = scale.SpectralStudy(seed);
        spectral.Validate();
        SpectralStudyResult spectrum = null!;
        progress("spectrum", "trials", SpectralStudy.Work(spectral),
            advance => spectrum = SpectralStudy.Run(spectral, spectrumDir, threads: 1, advance, log));
        foreach (var line in spectrum.Table()) log?.Invoke(line);
        log?.Invoke(spectrum.Report);
        var norms = SpectraTable.ReadPoints(Path.Combine(spectrumDir, SpectraTable.FileName));
        checks.AddRange(ReproductionVerdicts.Spectrum(norms, fitOptions.Alpha));
        // Every check of the report is one family: fits, training and spectrum, Holm-adjusted together.
        var verdicts = VerdictFamily.Resolve(checks);
        timings["spectrum_s"] = clock.Elapsed.TotalSeconds;

        // 5. Figures (PNG for the report, SVG for papers), each with the CSV of what it plots.
        var figuresDir = Path.Combine(dir, "figures");
        var gallery = new StringBuilder();
        foreach (var (name, source) in FigureAvailability.Supported(sweepDir).Select(n => (n, sweepDir)).Append((TrainingFigure.Name, trainDir)).Append((SpectrumFigure.Name, spectrumDir)))
            foreach (var fig in FigureCatalog.Build(name, source))
            {
                FigureExporter.Export(fig.Model, figuresDir, fig.FileName, [FigureFormat.Png, FigureFormat.Svg], FigureSize.Double);
                gallery.AppendLine($"### {fig.FileName}").AppendLine()
                    .AppendLine($"![{fig.FileName}](figures/{fig.FileName}.png)").AppendLine()
                    .AppendLine($"Data: [figures/{fig.FileName}.csv](figures/{fig.FileName}.csv); vector: [figures/{fig.FileName}.svg](figures/{fig.FileName}.svg).").AppendLine();
            }
        timings["figures_s"] = clock.Elapsed.TotalSeconds;

        // 6. Theory beside the measurements.
        var sections = new List<ReportWriter.Section>
        {
            new("Threshold τ*(L)", ReportTables.Threshold(fit)),
            new("Training: rate against depth (claim 4)", ReportTables.Training(training, study)),
            new("Growth of log E‖h_L‖²/‖h_0‖² with depth", ReportTables.Growth(cells)),
            new("Finite-width theory beside the measurements", ReportTables.Theory(theory)),
            new("Figures", gallery.ToString()),
            new("Data and provenance", ReportTables.Provenance()),
        };
        var pending = new List<string>
        {
            "claim 5, training without normalization on real data: needs Fashion-MNIST (`apt-get install dataset-fashion-mnist`); run `stabilitylab train --dataset fashion-mnist ...` as in the README",
        };
        var report = ReportWriter.Write(scale, seed, verdicts, sections, pending);
        AtomicFile.WriteAllText(Path.Combine(dir, "README.md"), report);
        timings["total_s"] = clock.Elapsed.TotalSeconds;

        var manifest = new JsonObject
        {
            ["scale"] = JsonSerializer.SerializeToNode(scale),
            ["seed"] = seed,
            ["timings"] = timings,
            ["outputs"] = new JsonArray("README.md", "stability/cells.csv", "stability/traces.csv", "stability/raw.csv", "stability/fits.json", "stability/theory.csv",
                "stability/manifest.json", "training/curves.csv", "training/runs.csv", "training/fits.json", "training/manifest.json",
                "spectrum/spectra.csv", "spectrum/manifest.json", "figures/"),
        };
        head.End(RunStatus.Complete).Write(dir, manifest);
        return new ReproductionResult(dir, verdicts, Interrupted: false);
    }
}
