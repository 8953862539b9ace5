using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace StabilityLab.Tests.Notebooks;

/// <summary>Compares a notebook's saved outputs with a fresh run's.</summary>
internal static class NotebookOutputs
{
    /// <summary>
    /// Same outputs, cell by cell: same kinds in the same order, stream and text data identical, PNG figures
    /// of the same pixel size (their bytes may differ with the font rasterizer of the machine).
    /// </summary>
    public static void AssertSame(IReadOnlyList<JsonArray> saved, IReadOnlyList<JsonArray> fresh, string notebook)
    {
        Assert.That(saved, Has.Count.EqualTo(fresh.Count), $"{notebook}: code cells");
        const string regenerate = "; if the notebook changed on purpose, run notebooks/execute.sh";
        for (int i = 0; i < fresh.Count; i++)
        {
            string where = $"{notebook}, code cell {i + 1}";
            Assert.That(Kinds(saved[i]), Is.EqualTo(Kinds(fresh[i])), $"{where}: output kinds{regenerate}");
            for (int j = 0; j < fresh[i].Count; j++)
            {
                var s = saved[i][j]!.AsObject();
                var f = fresh[i][j]!.AsObject();
                if ((string?)f["output_type"] == "stream")
                {
                    Assert.That(NotebookFile.Text(s["text"]), Is.EqualTo(NotebookFile.Text(f["text"])), $"{where}: {f["name"]}{regenerate}");
                    continue;
                }
                var sData = s["data"]!.AsObject();
                var fData = f["data"]!.AsObject();
                Assert.That(sData.Select(p => p.Key), Is.EquivalentTo(fData.Select(p => p.Key)), $"{where}: MIME types{regenerate}");
                foreach (var (mime, value) in fData)
                {
                    if (mime == "image/png")
                        Assert.That(PngSize((string)sData[mime]!), Is.EqualTo(PngSize((string)value!)), $"{where}: figure size{regenerate}");
                    else
                        Assert.That(NotebookFile.Text(sData[mime]), Is.EqualTo(NotebookFile.Text(value)), $"{where}: {mime}{regenerate}");
                }
            }
        }
    }

    /// <summary>Width × height from the IHDR chunk of a base64 PNG; null when it is not a PNG.</summary>
    public static (int Width, int Height)? PngSize(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.Length < 24 || !bytes.AsSpan(0, 8).SequenceEqual(signature) || !bytes.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            return null;
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private static List<string> Kinds(JsonArray outputs) =>
        outputs.Select(o => $"{o?["output_type"]}{(o?["name"] is { } n ? ":" + n : "")}").ToList();
}
