using Microsoft.Extensions.Primitives;
using TwisterLab.KubeSim.Api;

namespace TwisterLab.KubeSim.Tests;

public sealed class QueryBoolTests
{
    // Go's strconv.ParseBool, which the apiserver's query decoder uses for watch, force, stdin, follow …
    [Theory]
    [InlineData("1", true), InlineData("t", true), InlineData("T", true), InlineData("TRUE", true), InlineData("true", true), InlineData("True", true)]
    [InlineData("0", false), InlineData("f", false), InlineData("F", false), InlineData("FALSE", false), InlineData("false", false), InlineData("False", false)]
    public void Parse_AcceptsWhatGoAccepts(string text, bool expected) => Assert.Equal(expected, QueryBool.Parse(new StringValues(text), "watch"));

    [Fact]
    public void Parse_RefusesOtherSpellings_AsABadRequest()
    {
        var e = Assert.Throws<ApiException>(() => QueryBool.Parse(new StringValues("yes"), "watch"));
        Assert.Equal(400, e.Code);
        Assert.False(QueryBool.Parse(StringValues.Empty, "watch"));
    }
}
