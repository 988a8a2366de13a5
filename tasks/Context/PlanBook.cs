namespace TwisterLab.Cake.Context;

/// <summary>The plan a dry run prints: per step, in order, the commands it would run.</summary>
public sealed class PlanBook
{
    private readonly List<(string Step, string Action)> _actions = [];

    public IReadOnlyList<(string Step, string Action)> Actions => _actions;

    public void Add(string step, string action) => _actions.Add((step, action));

    /// <summary>The plan as text: a numbered header per step, then its actions indented, as in the log.</summary>
    public string Render()
    {
        var lines = new List<string>();
        var number = 0;
        foreach (var group in _actions.GroupBy(action => action.Step))
        {
            lines.Add($"{++number}. {group.Key}");
            lines.AddRange(group.Select(action => "     " + action.Action));
        }

        return string.Join('\n', lines);
    }
}
