using StabilityLab.Models;
using StabilityLab.Randomness;

namespace StabilityLab.Spectral;

/// <summary>
/// The n inputs x_1..x_n ∈ R^p (‖x_i‖ = 1) at which the Gram matrix G_ij = ⟨h_{i,L}, h_{j,L}⟩ and the NTK are
/// taken. Fixed data: the randomness of a trial is the initialization, not the inputs.
/// </summary>
public sealed record GramInputs
{
    private readonly double[][] _x;

    /// <summary>Copies the vectors; each must be finite with unit norm (within 1e-9) and all of one dimension.</summary>
    public GramInputs(IReadOnlyList<double[]> vectors)
    {
        if (vectors is null || vectors.Count < 1) throw new SpecException("the Gram matrix needs at least one input");
        int p = vectors[0].Length;
        if (p < 1) throw new SpecException("inputs need dimension at least 1");
        _x = new double[vectors.Count][];
        for (int i = 0; i < vectors.Count; i++)
        {
            var v = vectors[i];
            if (v.Length != p) throw new SpecException($"input {i + 1} has dimension {v.Length}, input 1 has {p}");
            if (!v.All(double.IsFinite)) throw new SpecException($"input {i + 1} is not finite");
            double n2 = v.Sum(t => t * t);
            if (Math.Abs(Math.Sqrt(n2) - 1) > 1e-9) throw new SpecException($"input {i + 1} has norm {Math.Sqrt(n2):G6}; inputs must have unit norm");
            _x[i] = (double[])v.Clone();
        }
    }

    /// <summary>n, the number of inputs.</summary>
    public int Count => _x.Length;

    /// <summary>p, the input dimension.</summary>
    public int Dim => _x[0].Length;

    /// <summary>Input i (0-based); a copy.</summary>
    public double[] this[int i] => (double[])_x[i].Clone();

    /// <summary>X as p × n, column-major (column i is x_i).</summary>
    public double[] ColumnMajor()
    {
        var x = new double[Count * Dim];
        for (int i = 0; i < Count; i++) _x[i].CopyTo(x, i * Dim);
        return x;
    }

    /// <summary>max over i ≠ j of |⟨x_i, x_j⟩| (1 means two inputs are parallel: G is then singular).</summary>
    public double MaxAbsCosine()
    {
        double c = 0;
        for (int i = 0; i < Count; i++)
            for (int j = i + 1; j < Count; j++)
                c = Math.Max(c, Math.Abs(_x[i].Zip(_x[j], (a, b) => a * b).Sum()));
        return c;
    }

    /// <summary>n inputs uniform on the unit sphere of R^p: a pure function of (seed, n, p, generator), the same bits on
    /// every CPU with <see cref="RandomGenerator.Philox"/> (the spectral studies' generator).</summary>
    public static GramInputs RandomSphere(ulong seed, int count, int dim, RandomGenerator generator = RandomGenerator.Threefry)
    {
        if (count < 1) throw new SpecException($"--inputs must be at least 1 (got {count})");
        if (dim < 1) throw new SpecException($"input dimension must be at least 1 (got {dim})");
        var stream = new RandomStream(seed, StreamIds.Spectral.SphereInputsKey | (uint)dim, generator);
        var x = new double[count][];
        for (int i = 0; i < count; i++)
        {
            var v = new double[dim];
            double n2;
            long attempt = 0;
            do
            {
                NormalGenerator.Fill(stream, RandomStream.Domain(i + (attempt++ << 32), StreamIds.Spectral.Inputs), v);
                n2 = v.Sum(t => t * t);
            } while (!(n2 > 0));
            double s = 1 / Math.Sqrt(n2);
            for (int k = 0; k < dim; k++) v[k] *= s;
            x[i] = v;
        }
        return new GramInputs(x);
    }

    public bool Equals(GramInputs? other) =>
        other is not null && other.Count == Count && other.Dim == Dim && _x.Zip(other._x).All(t => t.First.SequenceEqual(t.Second));

    public override int GetHashCode() => HashCode.Combine(Count, Dim, _x[0][0]);
}
