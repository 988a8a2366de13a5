using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("TwisterLab.Data.Tests")]
