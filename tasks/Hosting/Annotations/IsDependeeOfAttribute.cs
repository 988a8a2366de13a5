using System.Runtime.CompilerServices;

namespace TwisterLab.Cake.Hosting;

/// <summary>A reverse dependency: this task runs before <see cref="Task"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependeeOfAttribute(Type task, [CallerLineNumber] int line = 0) : Attribute
{
    public Type Task { get; } = task;

    public int Line { get; } = line;
}
