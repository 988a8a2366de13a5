namespace TwisterLab.Cake.Hosting;

public interface IFrostingContext : ICakeContext
{
}

/// <summary>The base of a user context; resolved by DI, so a subclass can inject other services.</summary>
public class FrostingContext : CakeContextAdapter, IFrostingContext
{
    public FrostingContext(ICakeContext context)
        : base(context)
    {
    }
}
