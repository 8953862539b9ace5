using System.Reflection;
using System.Reflection.Emit;
using StabilityLab.Torch;

namespace StabilityLab.Tests.Torch;

/// <summary>
/// TorchSharp frees a temporary Scalar's native memory when the garbage collector finalizes it, which can happen while
/// libtorch still reads it: a worker died with "Unknown scalar type" from the post-bn block's <c>h + tau * x</c>
/// (TorchScalars explains). This scans the IL of StabilityLab.Torch and of the CLI for every call that makes such a Scalar — the
/// implicit double → Scalar conversion, and the tensor operators that pass one (a + b passes an alpha of 1, c * t and t / c
/// a Scalar of c) — outside <see cref="TorchScalars"/>, whose Scalars are never freed.
/// </summary>
[TestFixture]
public sealed class ImplicitScalarTests
{
    private static readonly Dictionary<short, OpCode> OpCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    [Test]
    public void NoTemporaryScalarsOutsideTorchScalars()
    {
        var offenders = new List<string>();
        // The Torch library and the CLI's commands that call TorchSharp directly.
        foreach (var type in new[] { typeof(TorchScalars).Assembly, typeof(StabilityLab.Cli.CliApp).Assembly }.SelectMany(a => a.GetTypes()).Where(t => t != typeof(TorchScalars)))
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>().Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)))
                foreach (var called in Calls(method))
                    if (MakesTemporaryScalar(called))
                        offenders.Add($"{type.FullName}.{method.Name} calls {called.DeclaringType?.Name}.{called.Name}({string.Join(", ", called.GetParameters().Select(p => p.ParameterType.Name))})");
        Assert.That(offenders, Is.Empty, "use TorchScalars (Of, Plus, Times, PlusScaled) instead");
    }

    [Test]
    public void TheScanSeesAnImplicitScalar()
    {
        // The scan's power: the operator form of the post-bn block's old line is found.
        var called = Calls(typeof(ImplicitScalarTests).GetMethod(nameof(OldPostBnLine), BindingFlags.NonPublic | BindingFlags.Static)!).ToList();
        Assert.That(called.Count(MakesTemporaryScalar), Is.EqualTo(2), string.Join(", ", called.Select(c => c.Name)));
    }

    private static TorchSharp.torch.Tensor OldPostBnLine(TorchSharp.torch.Tensor h, double tau, TorchSharp.torch.Tensor x) => h + tau * x;

    /// <summary>The implicit conversions to Scalar, and the Tensor operators that create a Scalar internally: + (alpha 1)
    /// and any operator with a number operand.</summary>
    private static bool MakesTemporaryScalar(MethodBase m)
    {
        if (m.DeclaringType == typeof(TorchSharp.Scalar) && m.Name == "op_Implicit") return true;
        if (m.DeclaringType != typeof(TorchSharp.torch.Tensor) || !m.Name.StartsWith("op_", StringComparison.Ordinal)) return false;
        var ps = m.GetParameters();
        if (ps.Length != 2) return false;
        return m.Name == "op_Addition" || ps.Any(p => p.ParameterType != typeof(TorchSharp.torch.Tensor));
    }

    /// <summary>The methods a method body calls (call, callvirt, newobj), read from its IL.</summary>
    private static IEnumerable<MethodBase> Calls(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        for (int i = 0; i < il.Length;)
        {
            short code = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodes[code];
            if (op == System.Reflection.Emit.OpCodes.Switch)
            {
                i += 4 + 4 * BitConverter.ToInt32(il, i);
                continue;
            }
            int size = Operand(op.OperandType);
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? target = null;
                try
                {
                    target = module.ResolveMethod(BitConverter.ToInt32(il, i),
                        method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null,
                        method.IsGenericMethod ? method.GetGenericArguments() : null);
                }
                catch (ArgumentException) { }
                if (target is not null) yield return target;
            }
            i += size;
        }
    }

    private static int Operand(OperandType t) => t switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
