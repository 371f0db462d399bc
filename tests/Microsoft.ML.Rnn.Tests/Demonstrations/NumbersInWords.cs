namespace Microsoft.ML.Rnn.Tests.Demonstrations;

/// <summary>
/// A translation-like task for the sequence-to-sequence demonstration: a number from 0 to 999,999 written in English
/// words ("three hundred forty two thousand seven") is the input, one token per step (1 to 9 steps); its six digits
/// ("342007") are the output, one class per step. The output length differs from the input's and the alignment
/// between them shifts with every missing part ("two thousand five": three words, six digits).
/// </summary>
internal static class NumbersInWords
{
    private static readonly string[] Ones =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    /// <summary>Every word the numbers use: the one-hot position of a token.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = [.. Ones, .. Tens[2..], "hundred", "thousand"];

    /// <summary>Digits of the output.</summary>
    public const int Digits = 6;

    /// <summary>Most words of a number below a million ("seven hundred seventy seven thousand seven hundred seventy seven").</summary>
    public const int MostWords = 9;

    /// <summary>The number in words.</summary>
    public static List<string> Words(int number)
    {
        if (number < 1000)
            return BelowThousand(number);
        List<string> words = BelowThousand(number / 1000);
        words.Add("thousand");
        if (number % 1000 != 0)
            words.AddRange(BelowThousand(number % 1000));
        return words;
    }

    /// <summary>The words one-hot, one step of <see cref="Vocabulary"/> values per word.</summary>
    public static float[] Encode(IReadOnlyList<string> words)
    {
        var values = new float[words.Count * Vocabulary.Count];
        for (int step = 0; step < words.Count; step++)
            values[step * Vocabulary.Count + IndexOf(words[step])] = 1f;
        return values;
    }

    /// <summary>The six digits, one string per step ("0" to "9").</summary>
    public static string[] DigitsOf(int number) => number.ToString("D6", System.Globalization.CultureInfo.InvariantCulture).Select(c => c.ToString()).ToArray();

    private static int IndexOf(string word)
    {
        for (int i = 0; i < Vocabulary.Count; i++)
            if (Vocabulary[i] == word)
                return i;
        throw new ArgumentException($"'{word}' is not a number word.", nameof(word));
    }

    private static List<string> BelowThousand(int number)
    {
        var words = new List<string>();
        if (number >= 100)
        {
            words.Add(Ones[number / 100]);
            words.Add("hundred");
            number %= 100;
            if (number == 0)
                return words;
        }

        if (number >= 20)
        {
            words.Add(Tens[number / 10]);
            if (number % 10 != 0)
                words.Add(Ones[number % 10]);
        }
        else
            words.Add(Ones[number]);
        return words;
    }
}
