using TwisterLab.Cake;
using TwisterLab.Cake.Hosting;

return new CakeHost()
    .UseTwisterLab()
    .Run(args);
