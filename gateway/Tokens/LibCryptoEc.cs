namespace Gateway.Tokens;

/// <summary>
/// libcrypto's (OpenSSL 3) elliptic-curve and big-number calls that <see cref="P256KeyTable"/> builds an ECDSA check
/// from, bound once from <see cref="LibCryptoLibrary"/> like <see cref="LibCrypto"/>. Some are marked deprecated in
/// OpenSSL 3's headers (the low-level EC API) but are exported and kept for the whole 3.x series. Handles are plain
/// pointers: groups are shared read-only between threads once built; BN_CTX, BIGNUMs and points belong to one thread
/// at a time.
/// </summary>
internal static unsafe class LibCryptoEc
{
    // NID_X9_62_prime256v1: OpenSSL's number for P-256.
    private const int P256Nid = 415;

    private static readonly delegate* unmanaged<int, nint> GroupByName;
    private static readonly delegate* unmanaged<nint, nint> GroupDup;
    private static readonly delegate* unmanaged<nint, void> GroupFree;
    private static readonly delegate* unmanaged<nint, nint, nint, nint, int> GroupSetGenerator;
    private static readonly delegate* unmanaged<nint, nint, int> GroupPrecompute;
    private static readonly delegate* unmanaged<nint, nint> GroupOrder;
    private static readonly delegate* unmanaged<nint, nint> GroupField;
    private static readonly delegate* unmanaged<nint, nint> PointNew;
    private static readonly delegate* unmanaged<nint, void> PointFree;
    private static readonly delegate* unmanaged<nint, nint, nint, nint, nint, int> PointSetAffine;
    private static readonly delegate* unmanaged<nint, nint, nint, nint, nint, nint, int> PointMul;
    private static readonly delegate* unmanaged<nint, nint, nint, nint, nint, int> PointAdd;
    private static readonly delegate* unmanaged<nint, nint, int> PointIsInfinity;
    private static readonly delegate* unmanaged<nint, nint, nint, nint, nint, nint, int> PointJacobian;
    private static readonly delegate* unmanaged<nint> BnNew;
    private static readonly delegate* unmanaged<nint, void> BnFree;
    private static readonly delegate* unmanaged<byte*, int, nint, nint> BnBin2Bn;
    private static readonly delegate* unmanaged<nint> BnCtxNew;
    private static readonly delegate* unmanaged<nint, void> BnCtxFree;
    private static readonly delegate* unmanaged<nint, nint, nint, nint, nint, int> BnModMul;
    private static readonly delegate* unmanaged<nint, nint, nint, nint, int> BnModSqr;
    private static readonly delegate* unmanaged<nint, nint, nint, int> BnAdd;
    private static readonly delegate* unmanaged<nint, nint, int> BnCmp;
    private static readonly delegate* unmanaged<nint, nuint, int> BnSetWord;
    private static readonly delegate* unmanaged<void> ErrClear;

#pragma warning disable CA1810 // The exports are looked up together, and only when the library loads: one static constructor says so best.
    static LibCryptoEc()
#pragma warning restore CA1810
    {
        if (LibCryptoLibrary.ExportAll(
                "EC_GROUP_new_by_curve_name", "EC_GROUP_dup", "EC_GROUP_free", "EC_GROUP_set_generator",
                "EC_GROUP_precompute_mult", "EC_GROUP_get0_order", "EC_GROUP_get0_field",
                "EC_POINT_new", "EC_POINT_free", "EC_POINT_set_affine_coordinates", "EC_POINT_mul",
                "EC_POINT_add", "EC_POINT_is_at_infinity", "EC_POINT_get_Jprojective_coordinates_GFp",
                "BN_new", "BN_free", "BN_bin2bn", "BN_CTX_new", "BN_CTX_free",
                "BN_mod_mul", "BN_mod_sqr", "BN_add", "BN_cmp",
                "BN_set_word", "ERR_clear_error") is not { } exports)
        {
            return;
        }

        GroupByName = (delegate* unmanaged<int, nint>)exports[0];
        GroupDup = (delegate* unmanaged<nint, nint>)exports[1];
        GroupFree = (delegate* unmanaged<nint, void>)exports[2];
        GroupSetGenerator = (delegate* unmanaged<nint, nint, nint, nint, int>)exports[3];
        GroupPrecompute = (delegate* unmanaged<nint, nint, int>)exports[4];
        GroupOrder = (delegate* unmanaged<nint, nint>)exports[5];
        GroupField = (delegate* unmanaged<nint, nint>)exports[6];
        PointNew = (delegate* unmanaged<nint, nint>)exports[7];
        PointFree = (delegate* unmanaged<nint, void>)exports[8];
        PointSetAffine = (delegate* unmanaged<nint, nint, nint, nint, nint, int>)exports[9];
        PointMul = (delegate* unmanaged<nint, nint, nint, nint, nint, nint, int>)exports[10];
        PointAdd = (delegate* unmanaged<nint, nint, nint, nint, nint, int>)exports[11];
        PointIsInfinity = (delegate* unmanaged<nint, nint, int>)exports[12];
        PointJacobian = (delegate* unmanaged<nint, nint, nint, nint, nint, nint, int>)exports[13];
        BnNew = (delegate* unmanaged<nint>)exports[14];
        BnFree = (delegate* unmanaged<nint, void>)exports[15];
        BnBin2Bn = (delegate* unmanaged<byte*, int, nint, nint>)exports[16];
        BnCtxNew = (delegate* unmanaged<nint>)exports[17];
        BnCtxFree = (delegate* unmanaged<nint, void>)exports[18];
        BnModMul = (delegate* unmanaged<nint, nint, nint, nint, nint, int>)exports[19];
        BnModSqr = (delegate* unmanaged<nint, nint, nint, nint, int>)exports[20];
        BnAdd = (delegate* unmanaged<nint, nint, nint, int>)exports[21];
        BnCmp = (delegate* unmanaged<nint, nint, int>)exports[22];
        BnSetWord = (delegate* unmanaged<nint, nuint, int>)exports[23];
        ErrClear = (delegate* unmanaged<void>)exports[24];

        // The standard P-256 group: its generator's multiples are a static table inside libcrypto.
        P256 = GroupByName(P256Nid);
        if (P256 == 0)
        {
            ErrClear();
            return;
        }

        IsAvailable = true;
    }

    /// <summary>Whether libcrypto 3 was found with every call used here and P-256 in it.</summary>
    public static bool IsAvailable { get; }

    /// <summary>The standard P-256 group, built once for the process and never freed.</summary>
    public static nint P256 { get; }

    public static nint Order(nint group) => GroupOrder(group);

    public static nint Field(nint group) => GroupField(group);

    /// <summary>
    /// A copy of P-256 whose generator is <paramref name="point"/>, with the multiples of that point precomputed, or 0.
    /// Multiplying by it then takes libcrypto's fixed-base path instead of its variable-point one.
    /// </summary>
    public static nint GroupGeneratedBy(nint point, nint ctx)
    {
        var group = GroupDup(P256);
        var one = BnNew();
        // The cofactor, 1 for P-256 (BN_one is a macro in OpenSSL 3, not an export).
        var ok = group != 0 && one != 0 && BnSetWord(one, 1) == 1 &&
            GroupSetGenerator(group, point, GroupOrder(P256), one) == 1 && GroupPrecompute(group, ctx) == 1;
        // libcrypto's free calls take 0 (NULL) and do nothing with it.
        BnFree(one);
        if (ok)
        {
            return group;
        }

        GroupFree(group);
        ErrClear();
        return 0;
    }

    public static void FreeGroup(nint group) => GroupFree(group);

    public static nint NewPoint() => PointNew(P256);

    public static void FreePoint(nint point) => PointFree(point);

    /// <summary>Sets <paramref name="point"/> to (x, y); false when they are not a point of P-256 (libcrypto checks).</summary>
    public static bool SetAffine(nint point, nint x, nint y, nint ctx) => Ok(PointSetAffine(P256, point, x, y, ctx));

    /// <summary><paramref name="result"/> = <paramref name="scalar"/> × the generator of <paramref name="group"/>.</summary>
    public static bool MultiplyGenerator(nint group, nint result, nint scalar, nint ctx) => Ok(PointMul(group, result, scalar, 0, 0, ctx));

    public static bool Add(nint result, nint a, nint b, nint ctx) => Ok(PointAdd(P256, result, a, b, ctx));

    public static bool IsInfinity(nint point) => PointIsInfinity(P256, point) == 1;

    /// <summary>The Jacobian X and Z of <paramref name="point"/> (its affine x is X / Z²).</summary>
    public static bool Jacobian(nint point, nint x, nint z, nint ctx) => Ok(PointJacobian(P256, point, x, 0, z, ctx));

    public static nint NewNumber() => BnNew();

    public static void FreeNumber(nint number) => BnFree(number);

    /// <summary>Sets <paramref name="number"/> to the big-endian unsigned <paramref name="bytes"/>.</summary>
    public static bool SetBytes(nint number, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            return BnBin2Bn(start, bytes.Length, number) != 0 || Fail();
        }
    }

    public static nint NewContext() => BnCtxNew();

    public static void FreeContext(nint ctx) => BnCtxFree(ctx);

    public static bool ModMultiply(nint result, nint a, nint b, nint modulus, nint ctx) => Ok(BnModMul(result, a, b, modulus, ctx));

    public static bool ModSquare(nint result, nint a, nint modulus, nint ctx) => Ok(BnModSqr(result, a, modulus, ctx));

    public static bool Sum(nint result, nint a, nint b) => Ok(BnAdd(result, a, b));

    public static int Compare(nint a, nint b) => BnCmp(a, b);

    // A failed call leaves its reason in the thread's OpenSSL error queue; the platform's own calls expect it empty.
    private static bool Ok(int result) => result == 1 || Fail();

    private static bool Fail()
    {
        ErrClear();
        return false;
    }
}
