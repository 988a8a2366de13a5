using System.Globalization;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TwisterLab.KubeSim.Patching;

/// <summary>
/// YAML request bodies (server-side apply from the Python client, `application/yaml` writes) turned into JSON as
/// sigs.k8s.io/yaml does: plain scalars resolve to null, booleans, integers and floats (YAML 1.1's yes/no/on/off
/// included, as go-yaml v2 reads them); quoted scalars stay strings.
/// </summary>
internal static class YamlBody
{
    public static JsonObject ParseObject(string text)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw ApiException.BadRequest($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.Message}"); }
        if (stream.Documents.Count == 0 || Convert(stream.Documents[0].RootNode) is not JsonObject obj)
            throw ApiException.BadRequest("error decoding YAML: the body is not an object");
        return obj;
    }

    static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return JsonValue.Create(value);
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON": return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF": return JsonValue.Create(false);
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (value.Any(char.IsDigit) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !value.Contains(','))
            return JsonValue.Create(number);
        return JsonValue.Create(value);
    }
}
