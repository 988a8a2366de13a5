using TwisterLab.Cake;

// The library's host with the embedded world (--cluster=embedded, Rehearse, SandboxUp, Test, Pack).
EmbeddedExtension.Register();
return TwisterLabHost.Run(args);
