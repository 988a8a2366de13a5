using System.Security.Cryptography;
using System.Text;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Safety;

/// <summary>
/// Keeps secret values (a previous DATABASE_URL) out of the journal in plain text. Values are sealed with AES-256-GCM
/// under a random per-run key kept in <c>stash.key</c>, mode 0600 in a 0700 folder, away from the journal (a run's
/// folder is under the user's state folder, see RunStore.KeyFolderOf): the journal, its copy in the cluster and a CI
/// artifact of <c>.twisterlab/</c> hold only ciphertext. A later <c>--target=Rollback --run=&lt;id&gt;</c> on the same
/// machine finds the key; on another machine, copy the key file there first, or the undo of that value stops.
/// Deleting the key (<see cref="Forget"/>, when the run succeeded or was fully undone) makes the values unrecoverable.
/// </summary>
public sealed class SecretStash
{
    public const string KeyFileName = "stash.key";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly string _keyPath;
    private readonly Lock _gate = new();

    /// <param name="runDirectory">The run folder (.twisterlab/runs/&lt;run-id&gt;), where the journal is.</param>
    public SecretStash(string runDirectory) => _keyPath = Path.Combine(runDirectory, KeyFileName);

    public string KeyPath => _keyPath;

    public string Protect(string value)
    {
        var key = Key(create: true);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var plain = Encoding.UTF8.GetBytes(value);
        var cipher = new byte[plain.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(key, TagSize))
        {
            aes.Encrypt(nonce, plain, cipher, tag);
        }

        return "v1:" + Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public string Unprotect(string protectedValue)
    {
        if (!protectedValue.StartsWith("v1:", StringComparison.Ordinal))
        {
            throw new InvalidDataException("The stashed secret has an unknown format.");
        }

        var bytes = Convert.FromBase64String(protectedValue[3..]);
        var key = Key(create: false);
        var plain = new byte[bytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize + TagSize), bytes.AsSpan(NonceSize, TagSize), plain);
        }
        catch (AuthenticationTagMismatchException exception)
        {
            throw new InvalidDataException($"The stashed secret does not match the run's key ({_keyPath}): the key file was replaced. Restore the value by hand.", exception);
        }

        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Deletes the run's key: every value stashed under it becomes unreadable.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            if (File.Exists(_keyPath))
            {
                File.Delete(_keyPath);
            }

            var folder = Path.GetDirectoryName(_keyPath)!;
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
    }

    private byte[] Key(bool create)
    {
        lock (_gate)
        {
            if (File.Exists(_keyPath))
            {
                return File.ReadAllBytes(_keyPath);
            }

            if (!create)
            {
                throw new InvalidDataException($"The run's secret key '{_keyPath}' is missing (the run ended, or ran on another machine: copy its key file here), so the previous secret value cannot be restored. Restore it by hand.");
            }

            PrivateFiles.CreateFolder(Path.GetDirectoryName(_keyPath)!);
            var key = RandomNumberGenerator.GetBytes(32);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(_keyPath, options))
            {
                stream.Write(key);
            }

            return key;
        }
    }
}
