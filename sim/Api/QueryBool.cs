using Microsoft.Extensions.Primitives;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// Boolean query parameters as the apiserver reads them: Go's strconv.ParseBool (1, t, T, TRUE, true, True and
/// 0, f, F, FALSE, false, False). The Python client sends "True"; anything else is a 400, as the query decoder answers.
/// </summary>
internal static class QueryBool
{
    public static bool Parse(StringValues values, string name)
    {
        if (values.Count == 0 || string.IsNullOrEmpty(values[0])) return false;
        return values[0] switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
            var other => throw ApiException.BadRequest($"invalid value for {name}: strconv.ParseBool: parsing \"{other}\": invalid syntax"),
        };
    }
}
