using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;

namespace StabilityLab.Tests.Notebooks;

/// <summary>
/// Executes every C# notebook under notebooks/ top to bottom in a fresh C# kernel, headless.
/// A notebook's <c>#r ".../bin/Release/net10.0/X.dll"</c> lines are pointed at the assemblies this
/// test was built with, so the notebooks always run against the local build.
/// </summary>
[NonParallelizable]
public partial class NotebookTests
{
    private static string NotebookDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StabilityLab.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("repository root not found"), "notebooks");
    }

    public static IEnumerable<TestCaseData> Notebooks() =>
        Directory.GetFiles(NotebookDir(), "*.ipynb").OrderBy(p => p).Select(p => new TestCaseData(p).SetName(Path.GetFileNameWithoutExtension(p)));

    [Test]
    public void TheThreeNotebooksExist()
    {
        var names = Directory.GetFiles(NotebookDir(), "*.ipynb").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.That(names, Is.SupersetOf(new[] { "quickstart", "threshold", "training" }));
    }

    [TestCaseSource(nameof(Notebooks))]
    public async Task RunsTopToBottom(string path)
    {
        var doc = Notebook.Parse(await File.ReadAllTextAsync(path), new KernelInfoCollection { new Microsoft.DotNet.Interactive.Documents.KernelInfo("csharp") });
        var cells = doc.Elements.Where(e => e.KernelName == "csharp").ToList();
        Assert.That(cells, Is.Not.Empty, "a notebook without code cells");
        using var kernel = new CSharpKernel();
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(Path.GetDirectoryName(path)!);
        try
        {
            for (int i = 0; i < cells.Count; i++)
            {
                var code = LocalReference().Replace(cells[i].Contents, m => $"#r \"{Path.Combine(AppContext.BaseDirectory, m.Groups[1].Value)}\"");
                var result = await kernel.SubmitCodeAsync(code);
                var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
                Assert.That(failed, Is.Null, $"cell {i + 1} of {Path.GetFileName(path)} failed: {failed?.Message}");
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    // Any assembly a notebook takes from a build output folder (…/bin/Release/net10.0/X.dll).
    [GeneratedRegex("#r \"[^\"]*/bin/[A-Za-z]+/net[0-9.]+/([A-Za-z0-9_.]+\\.dll)\"")]
    private static partial Regex LocalReference();
}
