using StabilityLab.Sampling;

namespace StabilityLab.Tests.Sampling;

/// <summary>
/// The rows the sampler's passes stream through start on 64-byte boundaries (so a 512-bit load or store never
/// straddles two cache lines), have length m, and do not overlap, for widths that are and are not whole cache lines.
/// </summary>
public class AlignedRowsTests
{
    [TestCase(1, 1)]
    [TestCase(7, 3)]
    [TestCase(8, 4)]
    [TestCase(37, 5)]
    [TestCase(1024, 3)]
    public unsafe void RowsStartOnCacheLinesAndDoNotOverlap(int m, int count)
    {
        var rows = new AlignedRows(count, m);
        for (int i = 0; i < count; i++)
        {
            var row = rows[i];
            Assert.That(row.Length, Is.EqualTo(m));
            fixed (double* p = row)
                Assert.That((long)p % 64, Is.EqualTo(0L), $"row {i} of m = {m}");
            row.Fill(i + 1);
        }
        for (int i = 0; i < count; i++)
            Assert.That(rows[i].ToArray(), Is.All.EqualTo(i + 1), $"row {i} was overwritten by another");
    }

    [TestCase(3)]
    [TestCase(1024)]
    public unsafe void OneScratchRowStartsOnACacheLine(int m)
    {
        var row = AlignedRows.Row(m);
        Assert.That(row.Length, Is.EqualTo(m));
        fixed (double* p = row.Span)
            Assert.That((long)p % 64, Is.EqualTo(0L));
    }

    [Test]
    public void StrideRoundsUpToWholeCacheLines()
    {
        Assert.That(new[] { 1, 8, 9, 37, 1024 }.Select(AlignedRows.Stride), Is.EqualTo(new[] { 8, 8, 16, 40, 1024 }));
    }
}
