namespace TwisterLab.Cake.Data;

/// <summary>
/// The one exception a data gateway throws for anything the operator can fix: bad input, unreachable server,
/// wrong password, corrupt file, full disk. The message is one line naming the problem and the fix, and never
/// contains a secret; the original exception (already redacted by the caller) is kept as the inner exception.
/// </summary>
public class DataOperationException : Exception
{
    public DataOperationException(string message, Exception? inner = null)
        : base(SecretRedactor.Redact(message), inner)
    {
    }
}
