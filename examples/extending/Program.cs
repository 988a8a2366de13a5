using TwisterLab.Cake;
using TwisterLab.Extending;

// Your host: the library's targets, plus this assembly's step, compensation and argument.
TwisterLabHost.Extend(new ReleaseNotes());
// Rehearsals on --cluster=embedded in this repository; outside it, leave this line out and rehearse on kind.
EmbeddedExtension.Register();
return TwisterLabHost.Run(args);
