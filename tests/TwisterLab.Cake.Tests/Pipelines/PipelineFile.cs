using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace TwisterLab.Cake.Tests.Pipelines;

/// <summary>One job of an example pipeline: its environment and the ./build.sh (or twisterlab) commands it runs, in order.</summary>
public sealed record PipelineJob(string Name, IReadOnlyList<PipelineCommand> Commands, IReadOnlyDictionary<string, string> Outputs);

/// <summary>A ./build.sh line with the environment its step gives it (still holding ${{ }} or $VAR references).</summary>
public sealed record PipelineCommand(string? StepId, string Line, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Reads examples/pipelines/*.yml with YamlDotNet: GitHub's workflow (env at workflow, job and step level; steps' run)
/// or GitLab's pipeline (variables, plain or {value:}; jobs' script). Only the tool's own lines are commands here.
/// </summary>
public static partial class PipelineFile
{
    public static IReadOnlyList<PipelineJob> Read(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return root.Children.ContainsKey("jobs") ? GitHub(root) : GitLab(root);
    }

    private static List<PipelineJob> GitHub(YamlMappingNode root)
    {
        var workflowEnv = Map(root, "env");
        var jobs = new List<PipelineJob>();
        foreach (var (name, node) in Children((YamlMappingNode)root.Children["jobs"]))
        {
            var job = (YamlMappingNode)node;
            var jobEnv = Merge(workflowEnv, Map(job, "env"));
            var commands = new List<PipelineCommand>();
            foreach (var step in job.Children.TryGetValue("steps", out var steps) ? ((YamlSequenceNode)steps).Children.OfType<YamlMappingNode>() : [])
            {
                if (Scalar(step, "run") is { } run)
                {
                    commands.AddRange(ToolLines(run).Select(line => new PipelineCommand(Scalar(step, "id"), line, Merge(jobEnv, Map(step, "env")))));
                }
            }

            jobs.Add(new PipelineJob(name, commands, Map(job, "outputs")));
        }

        return jobs;
    }

    private static List<PipelineJob> GitLab(YamlMappingNode root)
    {
        var variables = new Dictionary<string, string>();
        if (root.Children.TryGetValue("variables", out var node))
        {
            foreach (var (name, value) in Children((YamlMappingNode)node))
            {
                variables[name] = value is YamlMappingNode withValue ? Scalar(withValue, "value") ?? "" : ((YamlScalarNode)value).Value ?? "";
            }
        }

        var jobs = new List<PipelineJob>();
        foreach (var (name, value) in Children(root).Where(job => job.Value is YamlMappingNode mapping && mapping.Children.ContainsKey("script")))
        {
            var job = (YamlMappingNode)value;
            var env = Merge(variables, Map(job, "variables"));
            var lines = ((YamlSequenceNode)job.Children["script"]).Children.OfType<YamlScalarNode>().SelectMany(line => ToolLines(line.Value ?? ""));
            jobs.Add(new PipelineJob(name, lines.Select(line => new PipelineCommand(null, line, env)).ToList(), new Dictionary<string, string>()));
        }

        return jobs;
    }

    /// <summary>The lines of a script that run the tool: ./build.sh, or the installed tool's command, which takes the same arguments.</summary>
    private static IEnumerable<string> ToolLines(string script) =>
        script.Replace("\\\n", " ").Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("./build.sh", StringComparison.Ordinal) || line.StartsWith("twisterlab ", StringComparison.Ordinal));

    /// <summary>
    /// The line's arguments as the shell would pass them: ${{ expr }} through <paramref name="expression"/>, then $VAR and
    /// "${VAR}" from <paramref name="environment"/>, then words split on blanks outside quotes, quotes removed.
    /// </summary>
    public static IReadOnlyList<string> Arguments(string line, Func<string, string> expression, IReadOnlyDictionary<string, string> environment)
    {
        var text = Expression().Replace(line, match => expression(match.Groups[1].Value.Trim()));
        text = Variable().Replace(text, match => environment.TryGetValue(match.Groups[1].Value + match.Groups[2].Value, out var value) ? value : "");
        var words = new List<string>();
        var word = new StringBuilder();
        var quote = '\0';
        var inWord = false;
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else word.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord) words.Add(word.ToString());
        return words.Skip(1).ToList(); // the program itself
    }

    /// <summary>Resolves ${{ }} inside an environment value (e.g. TWISTERLAB_IMAGE_TAG: ${{ inputs.image-tag }}).</summary>
    public static string Resolve(string value, Func<string, string> expression) =>
        Expression().Replace(value, match => expression(match.Groups[1].Value.Trim()));

    [GeneratedRegex(@"\$\{\{(.*?)\}\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();

    private static IEnumerable<KeyValuePair<string, YamlNode>> Children(YamlMappingNode node) =>
        node.Children.Select(child => KeyValuePair.Create(((YamlScalarNode)child.Key).Value!, child.Value));

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static Dictionary<string, string> Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlMappingNode mapping
            ? Children(mapping).ToDictionary(child => child.Key, child => (child.Value as YamlScalarNode)?.Value ?? "")
            : [];

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> outer, IReadOnlyDictionary<string, string> inner)
    {
        var merged = new Dictionary<string, string>(outer);
        foreach (var (name, value) in inner) merged[name] = value;
        return merged;
    }
}
