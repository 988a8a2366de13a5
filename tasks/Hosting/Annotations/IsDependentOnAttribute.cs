using System.Runtime.CompilerServices;

namespace TwisterLab.Cake.Hosting;

/// <summary>
/// A dependency, run before the task. .NET does not promise the order of attributes, and a chain's order is the
/// guide's order, so the compiler records each attribute's source line and the host sorts by it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependentOnAttribute(Type task, [CallerLineNumber] int line = 0) : Attribute
{
    public Type Task { get; } = task;

    public int Line { get; } = line;
}
