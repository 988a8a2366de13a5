using TwisterLab.Cake;

return TwisterLabHost.Run(args);
