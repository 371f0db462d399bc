namespace Microsoft.ML.Rnn;

/// <summary>Item type codes of key values in the model file (never renumber: they are written to disk).</summary>
internal enum RnnKeyValueKind : byte
{
    /// <summary>No key values were kept.</summary>
    None = 0,

    /// <summary>Text (written as UTF-8 strings).</summary>
    Text = 1,

    /// <summary>Single.</summary>
    Single = 2,

    /// <summary>Double.</summary>
    Double = 3,

    /// <summary>Boolean (one byte each).</summary>
    Boolean = 4,

    /// <summary>Int32.</summary>
    Int32 = 5,

    /// <summary>UInt32.</summary>
    UInt32 = 6,

    /// <summary>Int64.</summary>
    Int64 = 7,

    /// <summary>UInt64.</summary>
    UInt64 = 8,
}
