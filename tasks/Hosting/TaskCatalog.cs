using System.Reflection;

namespace TwisterLab.Cake.Hosting;

/// <summary>The tasks found in the host's assemblies: their names, descriptions and declared dependencies.</summary>
public sealed class TaskCatalog
{
    private readonly Dictionary<string, Type> _byName;

    private TaskCatalog(IReadOnlyList<Type> types)
    {
        Types = types;
        _byName = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in types)
        {
            if (!_byName.TryAdd(NameOf(type), type))
            {
                throw new InvalidOperationException($"Two tasks are named '{NameOf(type)}': {_byName[NameOf(type)].FullName} and {type.FullName}.");
            }
        }
    }

    public IReadOnlyList<Type> Types { get; }

    public IEnumerable<string> Names => Types.Select(NameOf);

    public static TaskCatalog Discover(IEnumerable<Assembly> assemblies) =>
        new(assemblies
            .SelectMany(assembly => assembly.GetExportedTypes())
            .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IFrostingTask).IsAssignableFrom(type))
            .OrderBy(type => type.FullName, StringComparer.Ordinal)
            .ToList());

    public static string NameOf(Type task) => task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;

    public static string? DescriptionOf(Type task) => task.GetCustomAttribute<TaskDescriptionAttribute>()?.Description;

    /// <summary>Dependencies in the order they are written in the source, which is the order they run.</summary>
    public static IEnumerable<Type> DependenciesOf(Type task) =>
        task.GetCustomAttributes<IsDependentOnAttribute>().OrderBy(attribute => attribute.Line).Select(attribute => ValidTask(attribute.Task));

    public static IEnumerable<Type> DependeesOf(Type task) =>
        task.GetCustomAttributes<IsDependeeOfAttribute>().OrderBy(attribute => attribute.Line).Select(attribute => ValidTask(attribute.Task));

    /// <summary>
    /// The tasks people run, from every assembly the host loaded: those no other task depends on (chains, whatever
    /// their namespace). A step is depended on by its chain, or placed into one with [IsDependeeOf]: --tree shows it.
    /// </summary>
    public IEnumerable<Type> Targets
    {
        get
        {
            var steps = Types.SelectMany(DependenciesOf).Concat(Types.Where(type => DependeesOf(type).Any())).ToHashSet();
            return Types.Where(type => !steps.Contains(type));
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public Type? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The known name closest to a mistyped one (edit distance, case-insensitive).</summary>
    public string? Closest(string name) => Suggestions.Closest(name, Names);

    private static Type ValidTask(Type type) =>
        typeof(IFrostingTask).IsAssignableFrom(type)
            ? type
            : throw new InvalidOperationException($"The dependency '{type.FullName}' is not a valid task.");
}
