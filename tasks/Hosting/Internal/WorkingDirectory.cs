using Cake.Core.IO;

namespace TwisterLab.Cake.Hosting.Internal;

internal sealed record WorkingDirectory(DirectoryPath Path);
