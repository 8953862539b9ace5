using System.Buffers.Binary;
using System.IO.Compression;

namespace StabilityLab.Torch.Data;

/// <summary>An IDX array (LeCun's MNIST format): its shape and its values in row-major order.</summary>
public sealed record IdxArray(int[] Shape, double[] Values)
{
    /// <summary>Number of items along the first dimension.</summary>
    public int Items => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>Values per item (the product of the other dimensions).</summary>
    public int ItemSize => Shape.Skip(1).Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// Reads IDX files: magic 0x00 0x00 type rank, then rank big-endian int32 sizes, then the values big-endian.
/// Types: 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. A gzip-compressed file
/// (as Debian's dataset-fashion-mnist ships them, *.gz) is recognised by its magic bytes and read transparently.
/// </summary>
public static class IdxFile
{
    /// <summary>Reads the first <paramref name="maxItems"/> items (along the first dimension) of an IDX file.</summary>
    /// <exception cref="InvalidDataException">The file is not an IDX file or is truncated.</exception>
    public static IdxArray Read(string path, int maxItems = int.MaxValue)
    {
        if (maxItems < 0) throw new ArgumentOutOfRangeException(nameof(maxItems));
        using var file = File.OpenRead(path);
        Span<byte> gz = stackalloc byte[2];
        int got = file.Read(gz);
        file.Position = 0;
        using Stream s = got == 2 && gz[0] == 0x1F && gz[1] == 0x8B
            ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16)
            : new BufferedStream(file, 1 << 16);
        return Read(s, path, maxItems);
    }

    private static IdxArray Read(Stream s, string name, int maxItems)
    {
        var header = new byte[4];
        ReadExactly(s, header, name, "header");
        if (header[0] != 0 || header[1] != 0)
            throw new InvalidDataException($"{name} is not an IDX file (magic bytes {header[0]:X2} {header[1]:X2}, expected 00 00)");
        int type = header[2], rank = header[3];
        int elementSize = type switch
        {
            0x08 or 0x09 => 1,
            0x0B => 2,
            0x0C or 0x0D => 4,
            0x0E => 8,
            _ => throw new InvalidDataException($"{name}: unknown IDX element type 0x{type:X2}"),
        };
        var shape = new int[rank];
        var dim = new byte[4];
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(s, dim, name, "dimensions");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dim);
            if (shape[i] < 0) throw new InvalidDataException($"{name}: negative size {shape[i]} in dimension {i}");
        }
        if (rank > 0 && shape[0] > maxItems) shape[0] = maxItems;
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count * elementSize > Array.MaxLength) throw new InvalidDataException($"{name}: {count} values do not fit in memory");
        var raw = new byte[count * elementSize];
        ReadExactly(s, raw, name, "values");
        var values = new double[count];
        for (long k = 0; k < count; k++)
        {
            var b = raw.AsSpan((int)(k * elementSize), elementSize);
            values[k] = type switch
            {
                0x08 => b[0],
                0x09 => (sbyte)b[0],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(b),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(b),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(b),
                _ => BinaryPrimitives.ReadDoubleBigEndian(b),
            };
        }
        return new IdxArray(shape, values);
    }

    private static void ReadExactly(Stream s, byte[] buffer, string name, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer, total, buffer.Length - total);
            if (n == 0) throw new InvalidDataException($"{name} is truncated (in the {what}: {total} of {buffer.Length} bytes)");
            total += n;
        }
    }
}
