namespace StabilityLab.Tests.Notebooks;

/// <summary>
/// Executes every C# notebook under notebooks/ top to bottom in a fresh C# kernel, headless, against this build packed
/// as NuGet packages (the notebooks' own #r "nuget: …" lines, <see cref="NotebookPackages"/>), and checks that
/// the outputs saved in the notebook are what a fresh run gives: text identical (every number), figures PNGs
/// of the same pixel size. With STABILITYLAB_WRITE_NOTEBOOKS=1 (notebooks/execute.sh) the fresh outputs are
/// written back into the notebooks instead.
/// </summary>
[NonParallelizable]
public class NotebookTests
{
    private static string NotebookDir() => Path.Combine(TestPaths.RepoRoot, "notebooks");

    public static IEnumerable<TestCaseData> Notebooks() =>
        Directory.GetFiles(NotebookDir(), "*.ipynb").OrderBy(p => p).Select(p => new TestCaseData(p).SetName(Path.GetFileNameWithoutExtension(p)));

    private NotebookPackages? _packages;

    [OneTimeSetUp]
    public void PackTheLibraries() => _packages = NotebookPackages.Pack();

    [OneTimeTearDown]
    public void DeleteThePackages() => _packages?.Dispose();

    private static bool WriteBack => Environment.GetEnvironmentVariable("STABILITYLAB_WRITE_NOTEBOOKS") == "1";

    [Test]
    public void TheThreeNotebooksExist()
    {
        var names = Directory.GetFiles(NotebookDir(), "*.ipynb").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.That(names, Is.SupersetOf(new[] { "quickstart", "threshold", "training" }));
    }

    [TestCaseSource(nameof(Notebooks))]
    public void RunsTopToBottom(string path)
    {
        var notebook = NotebookFile.Read(path);
        var fresh = _packages!.Execute(path);
        if (WriteBack)
        {
            NotebookFile.WriteOutputs(path, notebook, fresh);
            return;
        }
        var saved = NotebookFile.CodeCells(notebook).Select(c => c["outputs"]?.AsArray() ?? []).ToList();
        NotebookOutputs.AssertSame(saved, fresh, Path.GetFileName(path));
    }

    [Test]
    public void TheSavedNotebooksShowTheirFigures()
    {
        // threshold and training draw a figure each: the committed notebooks carry it as image/png.
        foreach (var name in new[] { "threshold", "training" })
        {
            var notebook = NotebookFile.Read(Path.Combine(NotebookDir(), name + ".ipynb"));
            var pngs = NotebookFile.CodeCells(notebook).SelectMany(c => c["outputs"]?.AsArray() ?? [])
                .Select(o => o?["data"]?["image/png"]).OfType<System.Text.Json.Nodes.JsonNode>().ToList();
            Assert.That(pngs, Has.Count.EqualTo(1), $"{name}.ipynb should be saved with its figure (notebooks/execute.sh)");
            Assert.That(NotebookOutputs.PngSize((string)pngs[0]!), Is.Not.Null, $"{name}.ipynb: the image/png output is not a PNG");
        }
    }
}
