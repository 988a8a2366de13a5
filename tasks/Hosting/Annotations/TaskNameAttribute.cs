namespace TwisterLab.Cake.Hosting;

/// <summary>The task's name; without it the name is the class name exactly (as in Frosting).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
