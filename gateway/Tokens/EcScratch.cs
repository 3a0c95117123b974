namespace Gateway.Tokens;

/// <summary>
/// One thread's libcrypto working set for <see cref="P256KeyTable"/>: a BN_CTX, the numbers and the points one ECDSA
/// check needs. Kept per thread (a check never leaves its thread), so checks share nothing and allocate nothing; a
/// finalizer frees it when its thread ends.
/// </summary>
internal sealed class EcScratch
{
    [ThreadStatic]
    private static EcScratch? _current;

    private readonly nint[] _numbers;

    private EcScratch(nint context, nint[] numbers, nint first, nint second)
    {
        Context = context;
        _numbers = numbers;
        First = first;
        Second = second;
    }

    ~EcScratch() => Free(Context, _numbers, First, Second);

    public nint Context { get; }

    public nint R => _numbers[0];

    public nint E => _numbers[1];

    public nint W => _numbers[2];

    public nint U1 => _numbers[3];

    public nint U2 => _numbers[4];

    public nint X => _numbers[5];

    public nint Z => _numbers[6];

    public nint T => _numbers[7];

    public nint First { get; }

    public nint Second { get; }

    /// <summary>This thread's working set, made on first use; null when libcrypto could not make one.</summary>
    public static EcScratch? ForThisThread() => _current ??= Create();

    private static EcScratch? Create()
    {
        var context = LibCryptoEc.NewContext();
        var numbers = new nint[8];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = LibCryptoEc.NewNumber();
        }

        var first = LibCryptoEc.NewPoint();
        var second = LibCryptoEc.NewPoint();
        if (context != 0 && first != 0 && second != 0 && Array.IndexOf(numbers, 0) < 0)
        {
            return new EcScratch(context, numbers, first, second);
        }

        Free(context, numbers, first, second);
        return null;
    }

    // libcrypto's free calls take 0 (NULL) and do nothing with it.
    private static void Free(nint context, nint[] numbers, nint first, nint second)
    {
        foreach (var number in numbers)
        {
            LibCryptoEc.FreeNumber(number);
        }

        LibCryptoEc.FreePoint(first);
        LibCryptoEc.FreePoint(second);
        LibCryptoEc.FreeContext(context);
    }
}
