namespace TwisterLab.Cake.Tests;

/// <summary>The checkout's root, found from the test binaries by looking for the solution file.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "TwisterLab.Cake.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("TwisterLab.Cake.sln not found above " + AppContext.BaseDirectory);
    }
}
