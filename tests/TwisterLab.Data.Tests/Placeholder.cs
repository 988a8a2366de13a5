public class Placeholder { [Xunit.Fact] public void Builds() { } }
