using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Randomness;
using StabilityLab.Sweeps;

namespace StabilityLab.Tests.Sweeps;

/// <summary>
/// The generator is part of a sweep's spec: new specs get the default (philox-zig), a manifest without the key (every
/// one written before Philox) is a threefry sweep, and a directory resumes only with the generator it began with.
/// </summary>
public class GeneratorRecordTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("generator-record-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static SweepSpec Small(string generator) => new()
    {
        Widths = [24], Depths = [6], Trials = 60, Bootstrap = 10, Generator = generator,
    };

    [Test]
    public void ASpecFileWithoutTheKeyGetsTheDefaultAndTheManifestRecordsIt()
    {
        Assert.That(RandomGenerators.Default.Name(), Is.EqualTo("philox-zig"));
        var file = Path.Combine(_root, "spec.json");
        File.WriteAllText(file, """{ "widths": [24], "depths": [6], "trials": 60 }""");
        var spec = SweepSpec.FromJsonFile(file);
        Assert.That(spec.Generator, Is.EqualTo("philox-zig"));
        var dir = Path.Combine(_root, "new");
        SweepRunner.Run(spec, new SweepRunOptions(dir, Threads: 1));
        Assert.That((string?)RunManifest.Read(dir, "a sweep")["spec"]!["generator"], Is.EqualTo("philox-zig"));
    }

    [Test]
    public void GeneratorsGiveDifferentCells()
    {
        foreach (var g in RandomGenerators.Names)
            SweepRunner.Run(Small(g), new SweepRunOptions(Path.Combine(_root, g), Threads: 1));
        var cells = RandomGenerators.Names.Select(g => File.ReadAllText(Path.Combine(_root, g, SweepRunner.CellsFile))).ToArray();
        Assert.That(cells, Is.Unique);
    }

    [Test]
    public void APhiloxDirectoryResumesOnlyWithPhilox()
    {
        // A directory written while Box–Muller Philox was the default: it resumes with its own bits, not the new default's.
        var dir = Path.Combine(_root, "philox");
        SweepRunner.Run(Small("philox"), new SweepRunOptions(dir, Threads: 1));
        Assert.That(SweepManifest.SpecOf(SweepManifest.Read(dir), dir).Generator, Is.EqualTo("philox"));
        var e = Assert.Throws<SpecException>(() => SweepRunner.Run(Small("philox-zig"), new SweepRunOptions(dir, Threads: 1, Resume: true)));
        Assert.That(e!.Message, Does.Contain("different sweep"));
        Assert.DoesNotThrow(() => SweepRunner.Run(Small("philox"), new SweepRunOptions(dir, Threads: 1, Resume: true)));
    }

    [Test]
    public void AnOldDirectoryResumesOnlyWithThreefry()
    {
        // A directory as written before Philox: a threefry run whose manifest's spec has no "generator" key.
        var dir = Path.Combine(_root, "old");
        SweepRunner.Run(Small("threefry"), new SweepRunOptions(dir, Threads: 1));
        var path = Path.Combine(dir, RunManifest.FileName);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        manifest["spec"]!.AsObject().Remove("generator");
        File.WriteAllText(path, manifest.ToJsonString());

        Assert.That(SweepManifest.SpecOf(SweepManifest.Read(dir), dir).Generator, Is.EqualTo("threefry"));
        Assert.That(SweepSpec.FromJsonFile(path).Generator, Is.EqualTo("threefry"), "--spec manifest.json reproduces with threefry");
        var e = Assert.Throws<SpecException>(() => SweepRunner.Run(Small("philox"), new SweepRunOptions(dir, Threads: 1, Resume: true)));
        Assert.That(e!.Message, Does.Contain("different sweep"));
        Assert.DoesNotThrow(() => SweepRunner.Run(Small("threefry"), new SweepRunOptions(dir, Threads: 1, Resume: true)));
    }

    [Test]
    public void AnUnknownGeneratorIsASpecError()
    {
        var e = Assert.Throws<SpecException>(() => Small("mt19937").Validate());
        Assert.That(e!.Message, Does.Contain("unknown generator 'mt19937'"));
    }
}
