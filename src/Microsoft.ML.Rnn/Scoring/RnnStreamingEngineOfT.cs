using System.Linq.Expressions;
using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Rnn;

/// <summary>
/// A typed <see cref="RnnStreamingEngine"/> in the style of ML.NET's <c>PredictionEngine</c>: one tick in as a
/// <typeparamref name="TSrc"/> holding one step, that step's outputs out as a <typeparamref name="TDst"/>. Made by
/// <see cref="RnnTransformer.CreateStreamingEngine{TSrc, TDst}(MLContext)"/>; same guarantees as the engine underneath
/// (bit-identical to <c>Transform</c> of the whole series so far, O(1) a tick, not thread-safe: one per feed).
/// </summary>
/// <remarks>
/// <para>
/// <typeparamref name="TSrc"/> has a public field or property named as the model's feature column (or carrying
/// <see cref="ColumnNameAttribute"/> with that name): a <c>float[]</c> of one step's <see cref="RnnStreamingEngine.InputSize"/>
/// values; for a model over series columns, one <c>float</c> member per series column.
/// </para>
/// <para>
/// <typeparamref name="TDst"/> may have any of <c>Score</c>, <c>Probability</c> (binary classification) and
/// <c>PredictedLabel</c> (classification), as <c>float</c> or <c>float[]</c>, and <c>bool</c> (binary) or <c>uint</c>
/// (multiclass, the 1-based key; 0 for NaN scores): this step's values of the columns of those names. A scalar member
/// needs one output per step. <see cref="Predict(TSrc, ref TDst)"/> reuses the destination (and its arrays), so a
/// tick with scalar members or arrays of the right length allocates nothing.
/// </para>
/// </remarks>
public sealed class RnnStreamingEngine<TSrc, TDst>
    where TSrc : class
    where TDst : class, new()
{
    private readonly Func<TSrc, float[]?>? _vector;
    private readonly Func<TSrc, float>[] _series = [];
    private readonly Action<TDst, float[], float[], uint[]> _write;
    private readonly float[] _step;
    private readonly float[] _score;
    private readonly float[] _probability;
    private readonly uint[] _label;
    private readonly RnnTask _task;

    internal RnnStreamingEngine(RnnStreamingEngine engine, RnnModelData model)
    {
        Engine = engine;
        _task = model.Options.Task;
        _step = new float[engine.InputSize];
        _score = new float[engine.OutputSize];
        _probability = new float[engine.OutputSize];
        _label = new uint[1];
        if (model.IsSeries)
            _series = model.FeatureColumns.Select(c => Getter<float>(c, "a float (one step of the series column)")).ToArray();
        else
            _vector = Getter<float[]?>(model.FeatureColumns[0], $"a float[] of one step's {engine.InputSize} values");
        _write = Writer(engine.OutputSize);
    }

    /// <summary>The untyped engine underneath: <see cref="RnnStreamingEngine.StepsSeen"/>, <see cref="RnnStreamingEngine.Reset"/>,
    /// <see cref="RnnStreamingEngine.SaveState"/> and <see cref="RnnStreamingEngine.LoadState"/> act on the same state.</summary>
    public RnnStreamingEngine Engine { get; }

    /// <summary>Takes the step in <paramref name="example"/> and returns its outputs in a new <typeparamref name="TDst"/>.</summary>
    /// <exception cref="ArgumentException">The step has the wrong number of values or one that is not finite; the state is unchanged.</exception>
    public TDst Predict(TSrc example)
    {
        var prediction = new TDst();
        Predict(example, ref prediction);
        return prediction;
    }

    /// <summary>Takes the step in <paramref name="example"/> and writes its outputs into <paramref name="prediction"/> (made when null).</summary>
    /// <exception cref="ArgumentException">The step has the wrong number of values or one that is not finite; the state is unchanged.</exception>
    public void Predict(TSrc example, ref TDst prediction)
    {
        ArgumentNullException.ThrowIfNull(example);
        prediction ??= new TDst();
        ReadOnlySpan<float> step;
        if (_vector is not null)
        {
            step = _vector(example) ?? throw new ArgumentException("The example's feature vector is null; it must hold one step's values.", nameof(example));
        }
        else
        {
            for (int i = 0; i < _series.Length; i++)
                _step[i] = _series[i](example);
            step = _step;
        }

        if (_task == RnnTask.BinaryClassification)
        {
            Engine.Predict(step, _score, _probability);
            _label[0] = _score[0] > 0f ? 1u : 0u;
        }
        else
        {
            Engine.Predict(step, _score);
            if (_task == RnnTask.MulticlassClassification)
                _label[0] = RnnTransformer.StepPredictedKey(_score);
        }

        _write(prediction, _score, _probability, _label);
    }

    private static MemberInfo? Member(Type type, string column) =>
        type.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is FieldInfo or PropertyInfo)
            .FirstOrDefault(m => ColumnName(m) == column);

    /// <summary>The column a member maps to: its <see cref="ColumnNameAttribute"/>'s name (read from the attribute's
    /// constructor argument: the property is internal to ML.NET), else its own name.</summary>
    private static string ColumnName(MemberInfo member) =>
        member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(ColumnNameAttribute)) is { } attribute
            && attribute.ConstructorArguments is [{ Value: string name }]
            ? name
            : member.Name;

    private static Type TypeOf(MemberInfo member) => member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;

    private static Func<TSrc, T> Getter<T>(string column, string expected)
    {
        MemberInfo member = Member(typeof(TSrc), column)
            ?? throw new ArgumentException($"{typeof(TSrc).Name} has no public field or property for the model's feature column '{column}'; expected {expected}.");
        if (TypeOf(member) != typeof(T))
            throw new ArgumentException($"{typeof(TSrc).Name}.{member.Name} is {TypeOf(member).Name}; expected {expected}.");
        ParameterExpression source = Expression.Parameter(typeof(TSrc));
        return Expression.Lambda<Func<TSrc, T>>(Expression.PropertyOrField(source, member.Name), source).Compile();
    }

    /// <summary>One compiled writer for every output member <typeparamref name="TDst"/> has, checked against the model now.</summary>
    private Action<TDst, float[], float[], uint[]> Writer(int outputs)
    {
        ParameterExpression destination = Expression.Parameter(typeof(TDst)), score = Expression.Parameter(typeof(float[])),
            probability = Expression.Parameter(typeof(float[])), label = Expression.Parameter(typeof(uint[]));
        var body = new List<Expression>();
        void Add(string column, Expression values, Type[] allowed)
        {
            if (Member(typeof(TDst), column) is not { } member)
                return;
            Type type = TypeOf(member);
            if (!allowed.Contains(type))
                throw new ArgumentException($"{typeof(TDst).Name}.{member.Name} is {type.Name}; for this model's {column} expected {string.Join(" or ", allowed.Select(t => t.Name))}.");
            MemberExpression target = Expression.PropertyOrField(destination, member.Name);
            if (type.IsArray)
            {
                // Reuse the member's array when it has the right length, else make one.
                Type item = type.GetElementType()!;
                int length = item == typeof(float) ? outputs : 1;
                body.Add(Expression.IfThen(
                    Expression.OrElse(Expression.Equal(target, Expression.Constant(null, type)), Expression.NotEqual(Expression.ArrayLength(target), Expression.Constant(length))),
                    Expression.Assign(target, Expression.NewArrayBounds(item, Expression.Constant(length)))));
                MethodInfo copy = typeof(Array).GetMethod(nameof(Array.Copy), [typeof(Array), typeof(Array), typeof(int)])!;
                body.Add(Expression.Call(copy, values, target, Expression.Constant(length)));
            }
            else
            {
                if (type == typeof(float) && outputs != 1)
                    throw new ArgumentException($"{typeof(TDst).Name}.{member.Name} is a float, but this model gives {outputs} {column} values per step; use float[].");
                Expression first = Expression.ArrayIndex(values, Expression.Constant(0));
                body.Add(Expression.Assign(target, type == typeof(bool) ? Expression.NotEqual(first, Expression.Constant(0u)) : first));
            }
        }

        Add(RnnOutputColumns.Score, score, [typeof(float), typeof(float[])]);
        if (_task == RnnTask.BinaryClassification)
        {
            Add(RnnOutputColumns.Probability, probability, [typeof(float), typeof(float[])]);
            Add(RnnOutputColumns.PredictedLabel, label, [typeof(bool)]);
        }
        else if (_task == RnnTask.MulticlassClassification)
        {
            Add(RnnOutputColumns.PredictedLabel, label, [typeof(uint)]);
        }

        body.Add(Expression.Empty());
        return Expression.Lambda<Action<TDst, float[], float[], uint[]>>(Expression.Block(body), destination, score, probability, label).Compile();
    }
}
