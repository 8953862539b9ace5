using System.Text.Json.Nodes;
using StabilityLab.Output;
using StabilityLab.Sweeps;

namespace StabilityLab.Tests.Output;

/// <summary>One manifest dialect: status words, times, older manifests still readable, a stopped run says so.</summary>
public class RunManifestTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("manifest-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void HeadRoundTripsAndOlderManifestsStayReadable()
    {
        var end = RunManifest.Start("sweep", "sweep --depth 4").End(RunStatus.Complete);
        end.Write(_root, new JsonObject { ["seed"] = 7 });
        var m = RunManifest.Read(_root);
        Assert.Multiple(() =>
        {
            Assert.That((string?)m["status"], Is.EqualTo("complete"));
            Assert.That(RunManifest.StatusOf(m), Is.EqualTo(RunStatus.Complete));
            Assert.That(DateTimeOffset.Parse(RunManifest.FinishedOf(m)!), Is.GreaterThanOrEqualTo(DateTimeOffset.Parse(RunManifest.StartedOf(m)!)));
            Assert.That((int)m["seed"]!, Is.EqualTo(7));
            Assert.That(m.Select(kv => kv.Key).Take(5), Is.EqualTo(new[] { "tool", "version", "git_commit", "command", "command_line" }));
        });
        // Training manifests before the common head said "finished" and started_utc / finished_utc.
        var old = JsonNode.Parse("""{ "status": "finished", "started_utc": "2026-01-01T00:00:00+00:00", "finished_utc": "2026-01-01T00:01:00+00:00" }""")!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(RunManifest.StatusOf(old), Is.EqualTo(RunStatus.Complete));
            Assert.That(RunManifest.StartedOf(old), Is.EqualTo("2026-01-01T00:00:00+00:00"));
            Assert.That(RunManifest.FinishedOf(old), Is.EqualTo("2026-01-01T00:01:00+00:00"));
        });
    }

    [Test]
    public void AnInterruptedSweepSaysSoAndResumesToComplete()
    {
        var spec = new SweepSpec { Widths = [8], Depths = [2, 4], Trials = 4, Bootstrap = 10 };
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Catch<OperationCanceledException>(() => SweepRunner.Run(spec, new SweepRunOptions(_root, Cancel: cancel.Token)));
        Assert.That(RunManifest.StatusOf(SweepManifest.Read(_root)), Is.EqualTo(RunStatus.Interrupted));
        SweepRunner.Run(spec, new SweepRunOptions(_root, Resume: true));
        Assert.That(RunManifest.StatusOf(SweepManifest.Read(_root)), Is.EqualTo(RunStatus.Complete));
    }
}
