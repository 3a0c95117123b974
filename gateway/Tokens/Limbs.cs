using System.Runtime.CompilerServices;

namespace Gateway.Tokens;

/// <summary>A 256-bit unsigned number as four 64-bit limbs, least significant first; a value type the JIT keeps in registers.</summary>
internal readonly record struct Limbs(ulong L0, ulong L1, ulong L2, ulong L3)
{
    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    public bool IsOne => L0 == 1 && (L1 | L2 | L3) == 0;

    public static bool Below(Limbs a, Limbs b) =>
        a.L3 != b.L3 ? a.L3 < b.L3 : a.L2 != b.L2 ? a.L2 < b.L2 : a.L1 != b.L1 ? a.L1 < b.L1 : a.L0 < b.L0;

    /// <summary>a − b modulo 2^256; <paramref name="borrow"/> says whether it wrapped (a was below b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Limbs Subtract(Limbs a, Limbs b, out bool borrow)
    {
        var d0 = a.L0 - b.L0;
        var c = a.L0 < b.L0 ? 1UL : 0UL;
        var d1 = a.L1 - b.L1 - c;
        c = (a.L1 < b.L1 || (a.L1 == b.L1 && c == 1)) ? 1UL : 0UL;
        var d2 = a.L2 - b.L2 - c;
        c = (a.L2 < b.L2 || (a.L2 == b.L2 && c == 1)) ? 1UL : 0UL;
        var d3 = a.L3 - b.L3 - c;
        borrow = a.L3 < b.L3 || (a.L3 == b.L3 && c == 1);
        return new Limbs(d0, d1, d2, d3);
    }

    /// <summary>a + b modulo 2^256.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Limbs Add(Limbs a, Limbs b)
    {
        var s0 = a.L0 + b.L0;
        var c = s0 < a.L0 ? 1UL : 0UL;
        var s1 = a.L1 + b.L1 + c;
        c = (s1 < a.L1 || (s1 == a.L1 && c == 1)) ? 1UL : 0UL;
        var s2 = a.L2 + b.L2 + c;
        c = (s2 < a.L2 || (s2 == a.L2 && c == 1)) ? 1UL : 0UL;
        return new Limbs(s0, s1, s2, a.L3 + b.L3 + c);
    }
}
