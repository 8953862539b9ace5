using System.Numerics.Tensors;
using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;

namespace StabilityLab.Spectral;

/// <summary>
/// The exact batched sampler of docs/science.md §4 for n inputs sharing one random network: the Gram matrix
/// G_ij = ⟨h_{i,L}, h_{j,L}⟩ without any m × m matrix. With H = [h_1..h_n] = Q R (thin QR, Q m × r),
/// W H = (W Q) R and W Q has i.i.d. N(0, 2/m) entries because W is independent of H: O(m n²) per layer,
/// exact in distribution for Gaussian weights. The first layer uses A X = (A Q_X) R_X the same way.
/// Blocks: post φ(H + τ W H); res1 H + τ W φ(H) (QR of φ(H)); res3 H + τ V φ(W H) (two QRs).
/// For positively homogeneous φ the hidden matrix is divided by a common scalar every layer and the log
/// scale accumulated, so τ = 1 at any depth stays finite. One instance holds scratch memory: one per thread.
/// </summary>
public sealed class ExactGramSampler
{
    private readonly NetworkSpec _spec;
    private readonly GramInputs _inputs;
    private readonly SimdPath _path;
    private readonly int _m, _n;
    private readonly double _s;
    private readonly bool _homogeneous;
    private readonly double[] _x;                // X, p × n column-major
    private readonly double[] _h, _pre, _a, _wh, _z;
    private readonly ThinQr _qrInput, _qr;

    public ExactGramSampler(NetworkSpec spec, GramInputs inputs, SimdPath path = SimdPath.Auto)
    {
        spec.Validate();
        if (spec.Weights != WeightLaw.Gaussian)
            throw new SpecException($"the exact Gram sampler needs Gaussian weights (got {spec.Weights.Name()}); use the dense path");
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Dim != spec.InputDim)
            throw new SpecException($"inputs have dimension {inputs.Dim} but the network's input dimension is {spec.InputDim}");
        _spec = spec;
        _inputs = inputs;
        _path = path.Resolve();
        _m = spec.Width;
        _n = inputs.Count;
        _s = Math.Sqrt(spec.BranchVariance()); // A and W_l share the variance 2/m
        _homogeneous = spec.Activation.IsPositivelyHomogeneous();
        long cells = (long)_m * _n;
        if (cells > Array.MaxLength) throw new SpecException($"width × inputs = {cells} is too large");
        _x = inputs.ColumnMajor();
        _h = new double[cells];
        _pre = new double[cells];
        _a = new double[cells];
        _wh = new double[cells];
        _z = new double[cells];
        _qrInput = new ThinQr(spec.InputDim, _n);
        _qr = new ThinQr(_m, _n);
        _qrInput.Factor(_x);
    }

    public NetworkSpec Spec => _spec;

    public GramInputs Inputs => _inputs;

    /// <summary>The Gram matrix of h_L for one random network at the spec's τ.</summary>
    public GramMatrix Sample(RandomStream stream) => Sample(stream, _spec.TauSchedule());

    /// <summary>The Gram matrix of h_L for one random network at the τ schedule τ_1..τ_L.</summary>
    public GramMatrix Sample(RandomStream stream, double[] tau)
    {
        if (tau.Length != _spec.Depth) throw new ArgumentException($"a τ schedule needs {_spec.Depth} values (got {tau.Length})");
        // h_0 = φ(A X), A X = (A Q_X) R_X, A Q_X = √(2/m) Z.
        Project(_qrInput, stream, RandomStream.Domain(0, StreamIds.Spectral.GramInput), _wh);
        _spec.Activation.Apply(_wh, _h);
        double logScale = 0; // log of the squared common scale: true H = exp(logScale/2) · _h
        if (!Rescale(ref logScale)) return Dead();

        for (int l = 1; l <= _spec.Depth; l++)
        {
            double t = tau[l - 1];
            ulong domain = RandomStream.Domain(l, StreamIds.Spectral.GramForward);
            switch (_spec.Block)
            {
                case BlockKind.Post:
                    // H ← φ(H + τ W H)
                    _qr.Factor(_h);
                    Project(_qr, stream, domain, _wh);
                    TensorPrimitives.MultiplyAdd(_wh, t, _h, _pre);
                    _spec.Activation.Apply(_pre, _h);
                    break;
                case BlockKind.Res1:
                    // H ← H + τ W φ(H)
                    _spec.Activation.Apply(_h, _a);
                    _qr.Factor(_a);
                    Project(_qr, stream, domain, _wh);
                    TensorPrimitives.MultiplyAdd(_wh, t, _h, _h);
                    break;
                default:
                    // U = W H;  H ← H + τ V φ(U)
                    _qr.Factor(_h);
                    Project(_qr, stream, domain, _pre);
                    _spec.Activation.Apply(_pre, _a);
                    _qr.Factor(_a);
                    Project(_qr, stream, RandomStream.Domain(l, StreamIds.Spectral.GramForwardInner), _wh);
                    TensorPrimitives.MultiplyAdd(_wh, t, _h, _h);
                    break;
            }
            if (!Rescale(ref logScale)) return Dead();
        }

        var g = new double[_n * _n];
        for (int i = 0; i < _n; i++)
        {
            var hi = _h.AsSpan(i * _m, _m);
            for (int j = i; j < _n; j++)
                g[i * _n + j] = g[j * _n + i] = FixedOrderSums.Dot(hi, _h.AsSpan(j * _m, _m));
        }
        return GramMatrix.FromScaled(_n, logScale, g);
    }

    /// <summary>dst = W M for the factored M = Q R (from <paramref name="qr"/>): (√(2/m) Z) R with Z m × rank fresh normals.</summary>
    private void Project(ThinQr qr, RandomStream stream, ulong domain, double[] dst)
    {
        int r = qr.Rank;
        var z = _z.AsSpan(0, _m * r);
        NormalGenerator.Fill(stream, domain, z, _s, _path);
        Array.Clear(dst);
        for (int j = 0; j < _n; j++)
        {
            var col = dst.AsSpan(j * _m, _m);
            for (int k = 0; k < r && k <= j; k++)
            {
                double c = qr.R[k * _n + j];
                if (c != 0) TensorPrimitives.MultiplyAdd(z.Slice(k * _m, _m), c, col, col);
            }
        }
    }

    /// <summary>Divides H by its root mean squared column norm when φ is homogeneous; false when H is zero (a dead network).</summary>
    private bool Rescale(ref double logScale)
    {
        double n2 = FixedOrderSums.SumOfSquares(_h) / _n;
        if (!(n2 > 0) || !double.IsFinite(n2)) return false;
        if (!_homogeneous) return true;
        TensorPrimitives.Multiply(_h, 1 / Math.Sqrt(n2), _h);
        logScale += Math.Log(n2);
        return true;
    }

    private GramMatrix Dead() => new(_n, double.NegativeInfinity, new double[_n * _n]);
}
