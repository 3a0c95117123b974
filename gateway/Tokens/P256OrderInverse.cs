using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Gateway.Tokens;

/// <summary>
/// s⁻¹ mod n for P-256's group order n, the one inversion in every ES256 check (<see cref="P256KeyTable"/>).
/// libcrypto's <c>BN_mod_inverse</c> spends its time in general-width bignum calls; this is the binary extended
/// Euclidean algorithm on four 64-bit limbs held in registers, halving up to 63 bits at a time with one
/// Montgomery-style step (add the multiple of n that clears those bits, then shift). Variable time: s is public.
/// </summary>
internal static class P256OrderInverse
{
    // n in 64-bit limbs, least significant first.
    private const ulong N0 = 0xF3B9CAC2FC632551, N1 = 0xBCE6FAADA7179E84, N2 = 0xFFFFFFFFFFFFFFFF, N3 = 0xFFFFFFFF00000000;

    // n as one value; a property of constants, so the optimized-from-the-start loop sees no static field load.
    private static Limbs Order => new(N0, N1, N2, N3);

    // Each pass through the loop removes at least one bit from u·v, which starts below 2^512.
    private const int MaxSteps = 1024;

    /// <summary>−n⁻¹ mod 2^64 (OpenSSL's ordK for P-256): m = x·NegInverse mod 2^k makes x + m·n divisible by 2^k.</summary>
    internal const ulong NegInverse = 0xCCD1C8AAEE00BC4F;

    /// <summary>The lowest limb of n, for the test that checks <see cref="NegInverse"/>.</summary>
    internal const ulong LowLimb = N0;

    /// <summary>Whether <paramref name="value"/>, 32 bytes big-endian, lies in [1, n − 1]: what ECDSA asks of r and s.</summary>
    public static bool IsScalar(ReadOnlySpan<byte> value) =>
        value.Length == 32 && Read(value) is var limbs && !limbs.IsZero && Limbs.Below(limbs, Order);

    /// <summary>
    /// Writes <paramref name="value"/>⁻¹ mod n, both 32 bytes big-endian; false (and nothing written) when the value is
    /// not in [1, n − 1], where no inverse exists or it is not a scalar.
    /// </summary>
    /// <remarks>Compiled optimized from the first call: tiered JIT's first tier made it ten times slower.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryInvert(ReadOnlySpan<byte> value, Span<byte> inverse)
    {
        if (!IsScalar(value) || inverse.Length < 32)
        {
            return false;
        }

        var u = Read(value);
        var v = Order;

        // Invariants: x1·value ≡ u and x2·value ≡ v (mod n); u and v odd after each halving, gcd(u, v) = 1.
        var x1 = new Limbs(1, 0, 0, 0);
        var x2 = default(Limbs);
        for (var step = 0; step < MaxSteps; step++)
        {
            RemoveTwos(ref u, ref x1);
            RemoveTwos(ref v, ref x2);
            if (u.IsOne)
            {
                Write(x1, inverse);
                return true;
            }

            if (v.IsOne)
            {
                Write(x2, inverse);
                return true;
            }

            // Both odd, coprime and above 1, so they differ and the difference is even and not zero.
            if (Limbs.Below(u, v))
            {
                v = Limbs.Subtract(v, u, out _);
                x2 = SubtractMod(x2, x1);
            }
            else
            {
                u = Limbs.Subtract(u, v, out _);
                x1 = SubtractMod(x1, x2);
            }
        }

        return false;
    }

    // Divides a by its factors of two (a is not zero) and x by as many, mod n.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RemoveTwos(ref Limbs a, ref Limbs x)
    {
        while ((a.L0 & 1) == 0)
        {
            var k = a.L0 == 0 ? 63 : Math.Min(63, BitOperations.TrailingZeroCount(a.L0));
            a = new Limbs((a.L0 >> k) | (a.L1 << (64 - k)), (a.L1 >> k) | (a.L2 << (64 - k)), (a.L2 >> k) | (a.L3 << (64 - k)), a.L3 >> k);
            x = HalveTimes(x, k);
        }
    }

    // x / 2^k mod n for x < n and 1 ≤ k ≤ 63: (x + m·n) / 2^k, with m < 2^k chosen so the division is exact; the
    // result stays below n.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Limbs HalveTimes(Limbs x, int k)
    {
        var m = (x.L0 * NegInverse) & ((1UL << k) - 1);
        var high = Math.BigMul(m, N0, out var low);
        var t0 = low + x.L0;
        var carry = high + (t0 < low ? 1UL : 0UL);
        high = Math.BigMul(m, N1, out low);
        var t1 = Add3(low, x.L1, carry, ref high);
        carry = high;
        high = Math.BigMul(m, N2, out low);
        var t2 = Add3(low, x.L2, carry, ref high);
        carry = high;
        high = Math.BigMul(m, N3, out low);
        var t3 = Add3(low, x.L3, carry, ref high);
        var t4 = high;
        return new Limbs((t0 >> k) | (t1 << (64 - k)), (t1 >> k) | (t2 << (64 - k)), (t2 >> k) | (t3 << (64 - k)), (t3 >> k) | (t4 << (64 - k)));
    }

    // a + b + c, adding the carries out into high (which cannot overflow: a·m + b + c < 2^128).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Add3(ulong a, ulong b, ulong c, ref ulong high)
    {
        var sum = a + b;
        high += sum < a ? 1UL : 0UL;
        var total = sum + c;
        high += total < sum ? 1UL : 0UL;
        return total;
    }

    // x − y mod n for x, y < n: below zero, adding n wraps past 2^256 back into [0, n).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Limbs SubtractMod(Limbs x, Limbs y)
    {
        var difference = Limbs.Subtract(x, y, out var borrow);
        return borrow ? Limbs.Add(difference, Order) : difference;
    }

    private static Limbs Read(ReadOnlySpan<byte> bigEndian) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bigEndian[24..]),
        BinaryPrimitives.ReadUInt64BigEndian(bigEndian[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(bigEndian[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(bigEndian));

    private static void Write(Limbs limbs, Span<byte> bigEndian)
    {
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian, limbs.L3);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian[8..], limbs.L2);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian[16..], limbs.L1);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian[24..], limbs.L0);
    }
}
