using System.Globalization;
using System.Numerics;
using System.Text;

namespace StabilityLab.Torch.Training;

/// <summary>
/// Which images of a test split a network classified correctly: image i (in the split's order) is bit i. Two networks
/// scored on the same images are compared image by image with it (<see cref="Claims.AccuracyComparison"/>: the paired
/// per-image variance of an accuracy difference). Written as hexadecimal text, four images per digit, the first image of
/// each digit in its highest bit (<see cref="ToHex"/>; the file test-correct.csv of a training study).
/// </summary>
public sealed class CorrectImages : IEquatable<CorrectImages>
{
    private readonly ulong[] _bits;

    private CorrectImages(int count, ulong[] bits)
    {
        Count = count;
        _bits = bits;
        Correct = bits.Sum(w => BitOperations.PopCount(w));
    }

    /// <summary>Images on the test split.</summary>
    public int Count { get; }

    /// <summary>Images classified correctly.</summary>
    public int Correct { get; }

    /// <summary>Correct / Count.</summary>
    public double Accuracy => (double)Correct / Count;

    /// <summary>Whether image <paramref name="i"/> was classified correctly.</summary>
    public bool this[int i] => (uint)i < (uint)Count ? (_bits[i >> 6] >> (i & 63) & 1) != 0 : throw new ArgumentOutOfRangeException(nameof(i));

    public static CorrectImages From(IReadOnlyList<bool> correct)
    {
        ArgumentNullException.ThrowIfNull(correct);
        if (correct.Count < 1) throw new ArgumentException("a test split holds at least one image", nameof(correct));
        var bits = new ulong[(correct.Count + 63) / 64];
        for (int i = 0; i < correct.Count; i++)
            if (correct[i]) bits[i >> 6] |= 1UL << (i & 63);
        return new CorrectImages(correct.Count, bits);
    }

    /// <summary>⌈Count/4⌉ hexadecimal digits (lower case), image 4j in the highest bit of digit j.</summary>
    public string ToHex()
    {
        var sb = new StringBuilder((Count + 3) / 4);
        for (int j = 0; j < (Count + 3) / 4; j++)
        {
            int nibble = 0;
            for (int b = 0; b < 4; b++)
                if (4 * j + b < Count && this[4 * j + b]) nibble |= 8 >> b;
            sb.Append("0123456789abcdef"[nibble]);
        }
        return sb.ToString();
    }

    /// <summary>The inverse of <see cref="ToHex"/> for <paramref name="count"/> images.</summary>
    /// <exception cref="FormatException">Not ⌈count/4⌉ hexadecimal digits, or a bit set beyond the last image.</exception>
    public static CorrectImages Parse(string hex, int count)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (count < 1) throw new FormatException($"a test split holds at least one image (got {count})");
        if (hex.Length != (count + 3) / 4) throw new FormatException($"{count} images need {(count + 3) / 4} hexadecimal digits (got {hex.Length})");
        var correct = new bool[count];
        for (int j = 0; j < hex.Length; j++)
        {
            if (!int.TryParse(hex.AsSpan(j, 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int nibble))
                throw new FormatException($"'{hex[j]}' is not a hexadecimal digit");
            for (int b = 0; b < 4; b++)
            {
                bool set = (nibble & (8 >> b)) != 0;
                if (4 * j + b < count) correct[4 * j + b] = set;
                else if (set) throw new FormatException($"a bit is set beyond the last of {count} images");
            }
        }
        return From(correct);
    }

    public bool Equals(CorrectImages? other) => other is not null && Count == other.Count && _bits.AsSpan().SequenceEqual(other._bits);

    public override bool Equals(object? obj) => Equals(obj as CorrectImages);

    public override int GetHashCode() => HashCode.Combine(Count, Correct, _bits.Length > 0 ? _bits[0] : 0);
}
