using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Randomness;

/// <summary>
/// Threefry-2x64-20, the counter-based generator of Salmon et al. (Random123, SC'11):
/// a pure function (counter, key) → 128 random bits. Scalar, Vector256 and Vector512 versions
/// compute the same bits; the vector versions evaluate 4 or 8 counters at once.
/// </summary>
public static class Threefry2x64
{
    private const ulong Parity = 0x1BD11BDAA9FC1A22; // Skein key-schedule parity constant

    /// <summary>One block: counter (c0, c1) under key (k0, k1).</summary>
    public static (ulong X0, ulong X1) Block(ulong c0, ulong c1, ulong k0, ulong k1)
    {
        ulong k2 = Parity ^ k0 ^ k1;
        ulong x0 = c0 + k0, x1 = c1 + k1;
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += k1; x1 += k2 + 1;
        Four(ref x0, ref x1, 16, 32, 24, 21); x0 += k2; x1 += k0 + 2;
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += k0; x1 += k1 + 3;
        Four(ref x0, ref x1, 16, 32, 24, 21); x0 += k1; x1 += k2 + 4;
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += k2; x1 += k0 + 5;
        return (x0, x1);
    }

    /// <summary>Eight blocks: counters (c0[j], c1) for the lanes j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(Vector512<ulong> c0, ulong c1, ulong k0, ulong k1, out Vector512<ulong> x0, out Vector512<ulong> x1)
    {
        ulong k2 = Parity ^ k0 ^ k1;
        x0 = c0 + Vector512.Create(k0);
        x1 = Vector512.Create(c1 + k1);
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += Vector512.Create(k1); x1 += Vector512.Create(k2 + 1);
        Four(ref x0, ref x1, 16, 32, 24, 21); x0 += Vector512.Create(k2); x1 += Vector512.Create(k0 + 2);
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += Vector512.Create(k0); x1 += Vector512.Create(k1 + 3);
        Four(ref x0, ref x1, 16, 32, 24, 21); x0 += Vector512.Create(k1); x1 += Vector512.Create(k2 + 4);
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += Vector512.Create(k2); x1 += Vector512.Create(k0 + 5);
    }

    /// <summary>Four blocks: counters (c0[j], c1) for the lanes j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(Vector256<ulong> c0, ulong c1, ulong k0, ulong k1, out Vector256<ulong> x0, out Vector256<ulong> x1)
    {
        ulong k2 = Parity ^ k0 ^ k1;
        x0 = c0 + Vector256.Create(k0);
        x1 = Vector256.Create(c1 + k1);
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += Vector256.Create(k1); x1 += Vector256.Create(k2 + 1);
        Four(ref x0, ref x1, 16, 32, 24, 21); x0 += Vector256.Create(k2); x1 += Vector256.Create(k0 + 2);
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += Vector256.Create(k0); x1 += Vector256.Create(k1 + 3);
        Four(ref x0, ref x1, 16, 32, 24, 21); x0 += Vector256.Create(k1); x1 += Vector256.Create(k2 + 4);
        Four(ref x0, ref x1, 16, 42, 12, 31); x0 += Vector256.Create(k2); x1 += Vector256.Create(k0 + 5);
    }

    // Four Threefry rounds: x0 += x1; x1 = rotl(x1, r) ^ x0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Four(ref ulong x0, ref ulong x1, int a, int b, int c, int d)
    {
        x0 += x1; x1 = BitOperations.RotateLeft(x1, a) ^ x0;
        x0 += x1; x1 = BitOperations.RotateLeft(x1, b) ^ x0;
        x0 += x1; x1 = BitOperations.RotateLeft(x1, c) ^ x0;
        x0 += x1; x1 = BitOperations.RotateLeft(x1, d) ^ x0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Four(ref Vector512<ulong> x0, ref Vector512<ulong> x1, int a, int b, int c, int d)
    {
        x0 += x1; x1 = Rotl(x1, a) ^ x0;
        x0 += x1; x1 = Rotl(x1, b) ^ x0;
        x0 += x1; x1 = Rotl(x1, c) ^ x0;
        x0 += x1; x1 = Rotl(x1, d) ^ x0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Four(ref Vector256<ulong> x0, ref Vector256<ulong> x1, int a, int b, int c, int d)
    {
        x0 += x1; x1 = Rotl(x1, a) ^ x0;
        x0 += x1; x1 = Rotl(x1, b) ^ x0;
        x0 += x1; x1 = Rotl(x1, c) ^ x0;
        x0 += x1; x1 = Rotl(x1, d) ^ x0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Rotl(Vector512<ulong> x, int r) => (x << r) | (x >>> (64 - r));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Rotl(Vector256<ulong> x, int r) => (x << r) | (x >>> (64 - r));
}
