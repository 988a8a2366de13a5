namespace TwisterLab.Cake.Context;

/// <summary>Stops a chain without undoing it: the journal is kept for a person to decide (see RunOutcome.Held).</summary>
public class HoldException(string reason) : Exception(reason);
