namespace TwisterLab.Cake.Context;

/// <summary>
/// One command-line argument a run understands. <paramref name="Check"/> returns the problem with a value, with the
/// fix (null when fine); <paramref name="Secret"/> values are never printed; a <paramref name="Flag"/> takes no value
/// (or true/false); a <paramref name="IsPath"/> value is checked as a path under --working, where the run reads it.
/// </summary>
public sealed record ArgumentSpec(string Name, string Description, Func<string, string?>? Check = null, bool Secret = false, bool Flag = false, bool IsPath = false);
