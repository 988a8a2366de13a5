namespace TwisterLab.Cake.Steps;

/// <summary>A step that deploys --image-tag. Preflight refuses to start a run that reaches one without it.</summary>
public interface INeedImageTag
{
}
