namespace TwisterLab.Cake.Context;

/// <summary>
/// One command-line argument a run understands. <paramref name="Check"/> returns the problem with a value
/// (null when fine); <paramref name="Secret"/> values are never printed.
/// </summary>
public sealed record ArgumentSpec(string Name, string Description, Func<string, string?>? Check = null, bool Secret = false, bool Flag = false);
