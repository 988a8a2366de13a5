return TwisterLab.Cake.DemoHost.Demo.Run(args);
