using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TwisterLab.Cake.Context;

/// <summary>
/// The files every run reads or writes (the environment profile, the journal, the report), with their readers and
/// writers generated at compile time. By reflection, System.Text.Json builds them on first use: it reads every type's
/// members and attributes and emits accessors with Reflection.Emit, on every run's path (a dry run took 20 ms longer,
/// a 100-row backup 38 ms; 15 and 10 interleaved pairs). Each options object keeps its own settings; this only
/// supplies the contracts. A type outside this list (a compensation's own record, serialized by its runtime type
/// into the journal) still goes by reflection.
/// </summary>
[JsonSerializable(typeof(EnvironmentProfile))]
[JsonSerializable(typeof(RunJournal.JournalFile))]
[JsonSerializable(typeof(RunReport))]
internal sealed partial class RunFilesJson : JsonSerializerContext
{
    /// <summary>These contracts first, reflection for any other type.</summary>
    // A property, not a field: the generated Default lives in another part of this class, whose static initializers
    // may run after this one's (a field read here would hold null, and every type would go by reflection).
    public static IJsonTypeInfoResolver ThenReflection => JsonTypeInfoResolver.Combine(Default, new DefaultJsonTypeInfoResolver());
}
