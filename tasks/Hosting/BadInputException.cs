namespace TwisterLab.Cake.Hosting;

/// <summary>Input the run cannot start with. The host prints its one-line message and exits with <see cref="ExitCodes.BadInput"/>.</summary>
public sealed class BadInputException(string message) : Exception(message);
