using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("TwisterLab.Data.Tests")]
[assembly: InternalsVisibleTo("TwisterLab.Cake.Tests")]
