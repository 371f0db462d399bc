namespace Microsoft.ML.Rnn.Core;

/// <summary>Makes the exception for a setting out of range: names it, says what was found and what was expected.</summary>
/// <remarks>
/// The rules live once, in <see cref="RnnNetworkShape.Validate()"/> and <see cref="RnnTrainingOptions.Validate()"/>;
/// the ML.NET trainer runs the same rules on its options with a failure of its own, so each rule and its text exist
/// in one place.
/// </remarks>
internal delegate Exception OptionFailure(string setting, string found, string expected);

/// <summary>The checks behind the core's validators, reporting through an <see cref="OptionFailure"/>.</summary>
internal static class OptionCheck
{
    /// <summary>The core's own failure: <c>"HiddenSize is 0; expected hidden units per layer, from 1 to 65536."</c></summary>
    public static readonly OptionFailure Core = (setting, found, expected) =>
        new ArgumentException($"{setting} {found}; expected {expected}.", setting);

    public static void Range(int value, int minimum, int maximum, string setting, string what, OptionFailure fail)
    {
        if (value < minimum || value > maximum)
            throw fail(setting, $"is {value}", $"{what}, from {minimum} to {maximum}");
    }

    public static void Defined<TEnum>(TEnum value, string setting, OptionFailure fail)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw fail(setting, $"is {value}, which is not a defined {typeof(TEnum).Name}", "one of " + string.Join(", ", Enum.GetNames<TEnum>()));
    }

    /// <summary>A probability or decay in [0, 1).</summary>
    public static void UnitInterval(float value, string setting, string what, OptionFailure fail)
    {
        if (!(value >= 0f && value < 1f))
            throw fail(setting, $"is {value}", what + " in [0, 1)");
    }

    public static void PositiveFinite(float value, string setting, string what, OptionFailure fail)
    {
        if (!(value > 0f) || float.IsInfinity(value))
            throw fail(setting, $"is {value}", what);
    }

    public static void NonNegativeFinite(float value, string setting, string what, OptionFailure fail)
    {
        if (!(value >= 0f) || float.IsInfinity(value))
            throw fail(setting, $"is {value}", what);
    }
}
