using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace StabilityLab.Randomness;

/// <summary>
/// Standard normals of a <see cref="RandomGenerator.PhiloxZiggurat"/> stream: Philox-4x32-10 bits through a
/// ziggurat (<see cref="ZigguratTable"/>, 128 layers), one 32-bit word per normal.
/// <para>
/// Key: the stream's (seed, key) hashed once by Threefry-2x64-20 (domain "PHILOXZG") into Philox's key (k0, k1) and the
/// counter's top word c3, as for <see cref="PhiloxNormals"/> but with a hash domain of its own. Layout: block b of a
/// domain is the block of counter (b, domain low, domain high, c3), with words (x0, x1, x2, x3); normal
/// 32g + 16h + q (q = 0..15, h = 0, 1) takes word 2h + (q mod 2) of block 8g + ⌊q/2⌋, so eight consecutive blocks
/// fill 32 consecutive normals, and normal k depends on (stream, domain, k) only, not on the length of the request.
/// </para>
/// <para>
/// A word w gives the layer i = w mod 128 and the odd integer m = 2⌊s/128⌋ + 1 of s, w read as a signed 32-bit
/// integer (|m| &lt; 2²⁵, symmetric about 0, so m carries the sign and 24 bits of resolution). Fast path: |m| &lt; Tᵢ
/// gives m·Xᵢ·2⁻²⁵ (exact in double). Otherwise attempt a = 0, 1, … of normal k is the fallback block of counter (k, domain low, domain high,
/// c3 + 2³¹ + a), whose words (f0, f1, f2, f3) give u = ⌊(f2·2³² + f1)/2¹²⌋·2⁻⁵²: in a layer i ≥ 1 the wedge test
/// Yᵢ + u·(Yᵢ₊₁ − Yᵢ) &lt; e^(−x²/2), x = |m|·Xᵢ·2⁻²⁵, accepts sign(m)·x, else the draw restarts from the word f0;
/// in the base layer u &lt; q goes to the tail, else restarts from f0. The tail (Marsaglia 1964) takes the next
/// attempts: with u1, u2 ∈ (0, 1] from ⌊(f2·2³² + f1)/2¹²⌋ and ⌊(f0·2³² + f3)/2¹²⌋, ε1 = −ln(u1)/R, ε2 = −ln(u2),
/// it accepts sign(m)·(R + ε1) when 2ε2 &gt; ε1². Each value is a pure function of (stream, domain, k): no state is
/// shared between normals, so rejections elsewhere do not move it.
/// </para>
/// The scalar and vector paths give the same bits on every CPU: table lookups and integer operations are exact, the
/// wedge test uses <see cref="PortableMath.Exp(double)"/> and a fused multiply-add, the tail <see cref="PortableMath.Log(double)"/>.
/// The vector path runs the fast path 16 words at a time (four groups of 32 normals in flight), then the first fallback
/// attempt of the rejected draws (2.8%) 16 at a time; the few left (the tail, and a wedge rejection followed by a rejected restart) go on in the
/// scalar code from where the vector code stopped.
/// </summary>
internal static class PhiloxZiggurat
{
    private const ulong KeyDomain = 0x5048_494C_4F58_5A47; // "PHILOXZG": the Threefry domain of the key hash
    private const uint FallbackTop = 0x8000_0000;          // fallback counters' top word: c3 + 2³¹ + attempt
    private const int LayerBits = ZigguratTable.LayerBits;
    private const int LayerMask = ZigguratTable.Layers - 1;
    private const double TwoPow52Inv = 1.0 / 4503599627370496.0;
    private const long OneBits = 0x3FF0_0000_0000_0000;
    private const int StackPending = 4096 + 16;            // pending draws kept on the stack up to this many (32 KiB)

    /// <summary>Philox's key and the counter's top word for a stream.</summary>
    public static (uint K0, uint K1, uint C3) Key(RandomStream s) => Philox4x32.Key(s, KeyDomain);

    public static void Fill(RandomStream stream, ulong domain, Span<double> dest, SimdPath path)
    {
        // Both vector paths run the same code (one width for every CPU, as for PhiloxNormals).
        if (path.Resolve() == SimdPath.Scalar) FillScalar(stream, domain, dest);
        else FillVector(stream, domain, dest);
    }

    /// <summary>The ids of one (stream, domain): Philox key and counter words.</summary>
    private readonly record struct Ids(uint K0, uint K1, uint C3, uint D0, uint D1)
    {
        public static Ids Of(RandomStream s, ulong domain)
        {
            var (k0, k1, c3) = Key(s);
            return new(k0, k1, c3, (uint)domain, (uint)(domain >> 32));
        }

        /// <summary>Fallback attempt a of normal k.</summary>
        public (uint F0, uint F1, uint F2, uint F3) Fallback(int k, uint a) =>
            Philox4x32.Block((uint)k, D0, D1, C3 + FallbackTop + a, K0, K1);
    }

    /// <summary>The odd integer of a word: 2⌊s/128⌋ + 1, s the word as a signed integer.</summary>
    private static int Odd(uint w) => ((int)w >> (LayerBits - 1)) | 1;

    // ------------------------------------------------------------------ scalar (the reference)

    private static void FillScalar(RandomStream s, ulong domain, Span<double> dest)
    {
        var ids = Ids.Of(s, domain);
        int n = dest.Length;
        for (int g = 0; g < n; g += 32)
        {
            for (int l = 0; l < 8; l++)
            {
                int at = g + 2 * l;
                if (at >= n) break;
                var (x0, x1, x2, x3) = Philox4x32.Block((uint)(g / 4 + l), ids.D0, ids.D1, ids.C3, ids.K0, ids.K1);
                dest[at] = Normal(ids, at, x0);
                if (at + 1 < n) dest[at + 1] = Normal(ids, at + 1, x1);
                if (at + 16 < n) dest[at + 16] = Normal(ids, at + 16, x2);
                if (at + 17 < n) dest[at + 17] = Normal(ids, at + 17, x3);
            }
        }
    }

    /// <summary>Normal k from its word w: the fast path, then the fallback attempts.</summary>
    private static double Normal(in Ids ids, int k, uint w) => Continue(ids, k, w, 0);

    /// <summary>Normal k from word w (its own or a restart word), fallback attempts a, a + 1, … still unused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called rarely: no slow first tier
    private static double Continue(in Ids ids, int k, uint w, uint a)
    {
        var t = ZigguratTable.Instance;
        while (true)
        {
            int i = (int)(w & LayerMask), m = Odd(w), am = Math.Abs(m);
            double width = t.Width[i];
            if (am < t.Threshold[i]) return m * width;
            var (f0, f1, f2, _) = ids.Fallback(k, a++);
            double u = (Join(f1, f2) >> 12) * TwoPow52Inv;
            if (i == 0)
            {
                if (u < t.TailOdds) return m < 0 ? -Tail(ids, k, a) : Tail(ids, k, a);
            }
            else
            {
                double x = am * width;
                if (Math.FusedMultiplyAdd(u, t.Height[i], t.Y[i]) < PortableMath.Exp(-(x * x) * 0.5)) return m * width;
            }
            w = f0;
        }
    }

    /// <summary>A draw of the tail beyond R from the fallback attempts 0, 1, … of normal k (for tests of the tail method alone).</summary>
    internal static double TailSample(RandomStream s, ulong domain, int k) => Tail(Ids.Of(s, domain), k, 0);

    /// <summary>The tail beyond R (Marsaglia's exponential method), from fallback attempts a, a + 1, ….</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Tail(in Ids ids, int k, uint a)
    {
        while (true)
        {
            var (f0, f1, f2, f3) = ids.Fallback(k, a++);
            double e1 = -PortableMath.Log(UnitOpen(Join(f1, f2))) / ZigguratTable.R;
            double e2 = -PortableMath.Log(UnitOpen(Join(f3, f0)));
            if (e2 + e2 > e1 * e1) return ZigguratTable.R + e1;
        }
    }

    private static ulong Join(uint lo, uint hi) => ((ulong)hi << 32) | lo;

    // 1 − ⌊b/2¹²⌋·2⁻⁵² ∈ (0, 1] (2 − [1, 2) is exact).
    private static double UnitOpen(ulong b) => 2.0 - BitConverter.Int64BitsToDouble((long)(b >> 12) | OneBits);

    // ------------------------------------------------------------------ vector

    [SkipLocalsInit] // the buffers are read only where written
    private static unsafe void FillVector(RandomStream s, ulong domain, Span<double> dest)
    {
        var ids = Ids.Of(s, domain);
        var t = ZigguratTable.Instance;
        int n = dest.Length;
        ulong* keys = stackalloc ulong[20];
        Philox4x32.RoundKeys(ids.K0, ids.K1, new Span<ulong>(keys, 20));
        var lane = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        var d0 = Vector512.Create((ulong)ids.D0);
        var d1 = Vector512.Create((ulong)ids.D1);
        var top = Vector512.Create((ulong)ids.C3);
        var iota = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var low = Vector512.Create(0xFFFF_FFFFUL);

        // The rejected draws: index and word; 16 spare slots for the whole-vector stores of the compressed lanes.
        int cap = n + 16;
        int[]? rentedK = cap > StackPending ? ArrayPool<int>.Shared.Rent(cap) : null;
        uint[]? rentedW = cap > StackPending ? ArrayPool<uint>.Shared.Rent(cap) : null;
        Span<int> pendingK = rentedK ?? stackalloc int[StackPending];
        Span<uint> pendingW = rentedW ?? stackalloc uint[StackPending];
        Span<double> tail = stackalloc double[32];
        int np = 0;
        fixed (float* widths = t.Width)
        fixed (int* thresholds = t.Threshold)
        fixed (double* dp = dest)
        fixed (int* pk = pendingK)
        fixed (uint* pw = pendingW)
        fixed (double* tp = tail)
        {
            var tables = new Tables(widths, thresholds);
            int g = 0;
            for (; g + 128 <= n; g += 128)
            {
                // Four groups at once: four independent Philox chains keep more of the core busy.
                var a0 = lane + Vector512.Create((ulong)(g / 4)); var a1 = d0; var a2 = d1; var a3 = top;
                var b0 = a0 + Vector512.Create(8UL); var b1 = d0; var b2 = d1; var b3 = top;
                var c0 = a0 + Vector512.Create(16UL); var c1 = d0; var c2 = d1; var c3 = top;
                var e0 = a0 + Vector512.Create(24UL); var e1 = d0; var e2 = d1; var e3 = top;
                Philox4x32.BlockUnmasked(ref a0, ref a1, ref a2, ref a3, ref b0, ref b1, ref b2, ref b3, keys);
                Philox4x32.BlockUnmasked(ref c0, ref c1, ref c2, ref c3, ref e0, ref e1, ref e2, ref e3, keys);
                var at = iota + Vector512.Create(g);
                np = Part(Vector512.ConditionalSelect(low, a0, a1 << 32).AsUInt32(), tables, at, dp + g, pk, pw, np, false, default);
                np = Part(Vector512.ConditionalSelect(low, a2, a3 << 32).AsUInt32(), tables, at + Vector512.Create(16), dp + g + 16, pk, pw, np, false, default);
                np = Part(Vector512.ConditionalSelect(low, b0, b1 << 32).AsUInt32(), tables, at + Vector512.Create(32), dp + g + 32, pk, pw, np, false, default);
                np = Part(Vector512.ConditionalSelect(low, b2, b3 << 32).AsUInt32(), tables, at + Vector512.Create(48), dp + g + 48, pk, pw, np, false, default);
                np = Part(Vector512.ConditionalSelect(low, c0, c1 << 32).AsUInt32(), tables, at + Vector512.Create(64), dp + g + 64, pk, pw, np, false, default);
                np = Part(Vector512.ConditionalSelect(low, c2, c3 << 32).AsUInt32(), tables, at + Vector512.Create(80), dp + g + 80, pk, pw, np, false, default);
                np = Part(Vector512.ConditionalSelect(low, e0, e1 << 32).AsUInt32(), tables, at + Vector512.Create(96), dp + g + 96, pk, pw, np, false, default);
                np = Part(Vector512.ConditionalSelect(low, e2, e3 << 32).AsUInt32(), tables, at + Vector512.Create(112), dp + g + 112, pk, pw, np, false, default);
            }
            for (; g < n; g += 32)
            {
                var x0 = lane + Vector512.Create((ulong)(g / 4));
                var x1 = d0;
                var x2 = d1;
                var x3 = top;
                Philox4x32.BlockUnmasked(ref x0, ref x1, ref x2, ref x3, keys);
                var lo = Vector512.ConditionalSelect(low, x0, x1 << 32).AsUInt32(); // words x0, x1 of blocks 8g..8g+7, interleaved
                var hi = Vector512.ConditionalSelect(low, x2, x3 << 32).AsUInt32();
                var at = iota + Vector512.Create(g);
                if (g + 32 <= n)
                {
                    np = Part(lo, tables, at, dp + g, pk, pw, np, false, default);
                    np = Part(hi, tables, at + Vector512.Create(16), dp + g + 16, pk, pw, np, false, default);
                }
                else
                {
                    // Lanes at or past n are not queued.
                    var end = Vector512.Create(n);
                    np = Part(lo, tables, at, tp, pk, pw, np, true, end);
                    np = Part(hi, tables, at + Vector512.Create(16), tp + 16, pk, pw, np, true, end);
                    tail[..(n - g)].CopyTo(dest[g..]);
                }
            }
            if (np > 0) Resolve(ids, keys, t, dp, pk, pw, np);
        }
        if (rentedK is not null) ArrayPool<int>.Shared.Return(rentedK);
        if (rentedW is not null) ArrayPool<uint>.Shared.Return(rentedW);
    }

    /// <summary>The 32-bit tables (128 entries each) of the fast path.</summary>
    private readonly unsafe struct Tables(float* widths, int* thresholds)
    {
        public readonly float* Widths = widths;
        public readonly int* Thresholds = thresholds;
    }

    /// <summary>Entry (w mod 128) of a 128-entry 32-bit table for each of 16 lanes: with AVX-512 four two-register permutes
    /// (vpermt2d reads the low 5 bits of each index) and a selection by bits 5 and 6; otherwise AVX2 gathers or plain loads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<int> Lookup(Vector512<uint> w, int* p)
    {
        if (Avx512F.IsSupported)
        {
            var ix = w.AsInt32();
            var a0 = Avx512F.PermuteVar16x32x2(Vector512.Load(p), ix, Vector512.Load(p + 16));
            var a1 = Avx512F.PermuteVar16x32x2(Vector512.Load(p + 32), ix, Vector512.Load(p + 48));
            var m5 = Vector512.Equals(w & Vector512.Create(32u), Vector512.Create(32u)).AsInt32();
            var b0 = Vector512.ConditionalSelect(m5, a1, a0);
            var a2 = Avx512F.PermuteVar16x32x2(Vector512.Load(p + 64), ix, Vector512.Load(p + 80));
            var a3 = Avx512F.PermuteVar16x32x2(Vector512.Load(p + 96), ix, Vector512.Load(p + 112));
            var b1 = Vector512.ConditionalSelect(m5, a3, a2);
            return Vector512.ConditionalSelect(Vector512.Equals(w & Vector512.Create(64u), Vector512.Create(64u)).AsInt32(), b1, b0);
        }
        var i = (w & Vector512.Create((uint)LayerMask)).AsInt32();
        if (Avx2.IsSupported)
            return Vector512.Create(Avx2.GatherVector256(p, i.GetLower(), 4), Avx2.GatherVector256(p, i.GetUpper(), 4));
        var r = Vector512<int>.Zero;
        for (int l = 0; l < 16; l++) r = r.WithElement(l, p[i[l]]);
        return r;
    }

    /// <summary>The 8 lower (or upper) lanes as doubles (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ToDouble(Vector256<int> v) =>
        Avx512F.IsSupported ? Avx512F.ConvertToVector512Double(v)
        : Vector512.Create(Vector256.ConvertToDouble(Vector256.WidenLower(v)), Vector256.ConvertToDouble(Vector256.WidenUpper(v)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ToDouble(Vector256<float> v) =>
        Avx512F.IsSupported ? Avx512F.ConvertToVector512Double(v) : Vector512.Create(Vector256.WidenLower(v), Vector256.WidenUpper(v));

    /// <summary>The fast path for 16 words: stores m·Xᵢ·2⁻²⁵ at <paramref name="d"/> (for a rejected lane, a value to be replaced),
    /// and appends the rejected lanes' indices <paramref name="at"/> and words to the pending lists.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Part(Vector512<uint> w, Tables tables, Vector512<int> at, double* d, int* pk, uint* pw, int np,
        bool partial, Vector512<int> end)
    {
        var width = Lookup(w, (int*)tables.Widths).AsSingle();
        var threshold = Lookup(w, tables.Thresholds);
        var m = (w.AsInt32() >> (LayerBits - 1)) | Vector512<int>.One;
        var rejected = Vector512.GreaterThanOrEqual(Vector512.Abs(m), threshold);
        if (partial) rejected &= Vector512.LessThan(at, end);
        (ToDouble(m.GetLower()) * ToDouble(width.GetLower())).Store(d);
        (ToDouble(m.GetUpper()) * ToDouble(width.GetUpper())).Store(d + 8);
        if (Avx512F.IsSupported)
        {
            // Branch-free: the compressed lanes are stored whole, the count moves by the number of rejected lanes.
            Avx512F.Compress(Vector512<int>.Zero, rejected, at).Store(pk + np);
            Avx512F.Compress(Vector512<uint>.Zero, rejected.AsUInt32(), w).Store(pw + np);
            return np + BitOperations.PopCount(rejected.ExtractMostSignificantBits());
        }
        uint bits = (uint)rejected.ExtractMostSignificantBits();
        while (bits != 0)
        {
            int l = BitOperations.TrailingZeroCount(bits);
            pk[np] = at[l];
            pw[np++] = w[l];
            bits &= bits - 1;
        }
        return np;
    }

    /// <summary>
    /// The first fallback attempt for the rejected draws, 8 at a time: the wedge test, or the fast path of the restart word f0.
    /// The rest go on in the scalar code from the same state: the tail (attempt 1 on) or a restart word rejected too.
    /// </summary>
    private static unsafe void Resolve(in Ids ids, ulong* keys, ZigguratTable t, double* dest, int* pk, uint* pw, int np)
    {
        for (int l = np; l < np + 16; l++) { pk[l] = pk[np - 1]; pw[l] = pw[np - 1]; } // padding lanes, never written back
        fixed (double* wd = t.WidthAsDouble)
        fixed (long* th = t.ThresholdAsLong)
        fixed (double* yp = t.Y)
        fixed (double* hp = t.Height)
        {
            var c = new StepTables(wd, th, yp, hp, t.TailOdds);
            for (int p = 0; p < np; p += 16)
                Step(ids, keys, c, dest, pk + p, pw + p, Math.Min(16, np - p));
        }
    }

    private readonly unsafe struct StepTables(double* widths, long* thresholds, double* y, double* height, double tailOdds)
    {
        public readonly double* Widths = widths, Y = y, Height = height;
        public readonly long* Thresholds = thresholds;
        public readonly double TailOdds = tailOdds;
    }

    /// <summary>Attempt 0 for 16 queued draws, as two independent 8-lane halves (their latencies overlap).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // its own inlining budget; no slow first tier
    private static unsafe void Step(in Ids ids, ulong* keys, StepTables c, double* dest, int* pk, uint* pw, int count)
    {
        var a = Attempt(ids, keys, c, Widen(Vector256.Load((uint*)pk)), Widen(Vector256.Load(pw)));
        var b = Attempt(ids, keys, c, Widen(Vector256.Load((uint*)pk + 8)), Widen(Vector256.Load(pw + 8)));
        uint done = a.Done | b.Done << 8, toTail = a.ToTail | b.ToTail << 8;
        double* v = stackalloc double[16];
        ulong* f0 = stackalloc ulong[16];
        a.Value.Store(v);
        b.Value.Store(v + 8);
        a.Restart.Store(f0);
        b.Restart.Store(f0 + 8);
        for (int l = 0; l < count; l++)
        {
            int k = pk[l];
            if ((done >> l & 1) != 0) dest[k] = v[l];
            else if ((toTail >> l & 1) != 0) dest[k] = (int)pw[l] < 0 ? -Tail(ids, k, 1) : Tail(ids, k, 1);
            else dest[k] = Continue(ids, k, (uint)f0[l], 1);
        }
    }

    /// <summary>Attempt 0 of 8 draws (normal k, word w): the value of the lanes it decides, which those are, which go to the
    /// tail, and the restart words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe (Vector512<double> Value, uint Done, uint ToTail, Vector512<ulong> Restart) Attempt(
        in Ids ids, ulong* keys, StepTables c, Vector512<ulong> k, Vector512<ulong> w)
    {
        var m = ((w << 32).AsInt64() >> (32 + LayerBits - 1)) | Vector512<long>.One;
        var width = Lookup64(w, (ulong*)c.Widths).AsDouble();
        var xs = Vector512.ConvertToDouble(m) * width;            // sign(m)·x, exact
        var x = Vector512.ConvertToDouble(Vector512.Abs(m)) * width;

        var f0 = k;
        var f1 = Vector512.Create((ulong)ids.D0);
        var f2 = Vector512.Create((ulong)ids.D1);
        var f3 = Vector512.Create((ulong)(ids.C3 + FallbackTop));
        Philox4x32.Block(ref f0, ref f1, ref f2, ref f3, keys);
        var u = Vector512.ConvertToDouble((((f2 << 32) | f1) >>> 12).AsInt64()) * Vector512.Create(TwoPow52Inv);

        var isBase = Vector512.Equals(w & Vector512.Create((ulong)LayerMask), Vector512<ulong>.Zero);
        var y = Vector512.FusedMultiplyAdd(u, Lookup64(w, (ulong*)c.Height).AsDouble(), Lookup64(w, (ulong*)c.Y).AsDouble());
        var wedge = Vector512.AndNot(Vector512.LessThan(y, PortableMath.Exp(-(x * x) * Vector512.Create(0.5))).AsUInt64(), isBase);
        var tailStart = isBase & Vector512.LessThan(u, Vector512.Create(c.TailOdds)).AsUInt64();

        // The restart word's fast path.
        var m2 = ((f0 << 32).AsInt64() >> (32 + LayerBits - 1)) | Vector512<long>.One;
        var fast2 = Vector512.LessThan(Vector512.Abs(m2), Lookup64(f0, (ulong*)c.Thresholds).AsInt64()).AsUInt64();
        var xs2 = Vector512.ConvertToDouble(m2) * Lookup64(f0, (ulong*)c.Widths).AsDouble();

        var value = Vector512.ConditionalSelect(wedge.AsDouble(), xs, xs2);
        uint done = (uint)(wedge | Vector512.AndNot(fast2, tailStart)).ExtractMostSignificantBits();
        return (value, done, (uint)tailStart.ExtractMostSignificantBits(), f0);
    }

    // Entry (w mod 64) of the 64 entries at p (four two-register permutes and a selection by bits 4 and 5).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<ulong> Select64(Vector512<ulong> w, ulong* p, Vector512<ulong> m4, Vector512<ulong> m5)
    {
        var a0 = Avx512F.PermuteVar8x64x2(Vector512.Load(p), w, Vector512.Load(p + 8));
        var a1 = Avx512F.PermuteVar8x64x2(Vector512.Load(p + 16), w, Vector512.Load(p + 24));
        var a2 = Avx512F.PermuteVar8x64x2(Vector512.Load(p + 32), w, Vector512.Load(p + 40));
        var a3 = Avx512F.PermuteVar8x64x2(Vector512.Load(p + 48), w, Vector512.Load(p + 56));
        return Vector512.ConditionalSelect(m5, Vector512.ConditionalSelect(m4, a3, a2), Vector512.ConditionalSelect(m4, a1, a0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Widen(Vector256<uint> v) => Vector512.Create(Vector256.WidenLower(v), Vector256.WidenUpper(v));

    /// <summary>Entry (w mod 128) of a 128-entry 64-bit table for each of 8 lanes (eight two-register permutes with AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<ulong> Lookup64(Vector512<ulong> w, ulong* p)
    {
        if (Avx512F.IsSupported)
        {
            var m4 = Vector512.Equals(w & Vector512.Create(16UL), Vector512.Create(16UL));
            var m5 = Vector512.Equals(w & Vector512.Create(32UL), Vector512.Create(32UL));
            var r = Select64(w, p, m4, m5);
            return Vector512.ConditionalSelect(Vector512.Equals(w & Vector512.Create(64UL), Vector512.Create(64UL)), Select64(w, p + 64, m4, m5), r);
        }
        var i = w & Vector512.Create((ulong)LayerMask);
        return Vector512.Create(p[i[0]], p[i[1]], p[i[2]], p[i[3]], p[i[4]], p[i[5]], p[i[6]], p[i[7]]);
    }
}
